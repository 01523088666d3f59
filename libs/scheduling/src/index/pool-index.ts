import type { NodeView } from '../cluster-view';
import { NodeLabel } from '../cluster-view';
import type { Demand } from '../queue/job-request';
import { demandOfFlavor } from '../queue/job-request';
import { Bitset } from './bitset';

/** One supernode: a contiguous range of slots. */
export interface SupernodeRange {
  name: string;
  start: number;
  end: number;
}

/** A capacity hold on some nodes for one waiting job (a reservation). */
export interface Hold {
  id: number;
  jobId: string;
  /** Expected start in epoch ms; NaN = unknown (a task it waits for has no known end). */
  startsAt: number;
  /** The holder takes whole nodes: nothing may run there past `startsAt`. */
  whole: boolean;
}

/**
 * The free capacity of one pool, indexed for fast candidate search and updated incrementally.
 *
 * Nodes get a slot in (supernode, id) order, so a supernode is a contiguous slot range and ties go
 * to the lowest id. Schedulable nodes not owned whole are in exactly one *level* bitset, keyed by
 * free accelerators (gpu + npu): best fit on the dominant resource is "scan levels upwards from the
 * demand". `empty` holds the nodes with no task at all (what an affinity-group instance needs).
 *
 * Every change goes through `setNode`/`setSpare`, which journal the old values, so a tentative gang
 * placement or a what-if simulation (releases, preemption) is undone exactly with `rollback`.
 */
export class PoolIndex {
  readonly size: number;
  readonly ids: string[] = [];
  readonly hosts: string[] = [];
  readonly labels: Record<string, string>[] = [];
  readonly acceleratorType: (string | undefined)[] = [];
  readonly schedulable: Uint8Array;
  readonly capCpu: Float64Array;
  readonly capMem: Float64Array;
  readonly capGpu: Float64Array;
  readonly capNpu: Float64Array;
  readonly freeCpu: Float64Array;
  readonly freeMem: Float64Array;
  readonly freeGpu: Float64Array;
  readonly freeNpu: Float64Array;
  /** Tasks on the node (running, planned, or one for unexplained used capacity). */
  readonly tasks: Int32Array;
  /** Owned whole by an affinity-group task. */
  readonly whole: Uint8Array;
  readonly supernodeOf: Int32Array;
  readonly supernodes: SupernodeRange[] = [];
  readonly maxLevel: number;
  readonly levels: Bitset[];
  readonly levelCount: Int32Array;
  readonly empty: Bitset;
  /**
   * `cpuAtLeast[b]`: the nodes of any level with at least `CPU_STEPS[b]` millicores free. Scans AND
   * it in, so nodes whose cores are used up are skipped a word at a time instead of one by one.
   */
  readonly cpuAtLeast: Bitset[];
  readonly supernodeEmpty: Int32Array;
  /** Supernodes by their count of free whole nodes: `supernodesByEmpty[e]` holds those with e. */
  readonly supernodesByEmpty: Bitset[];
  /** Free capacity summed over schedulable nodes not owned whole (for quick upper bounds). */
  readonly totals: Demand = { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
  /**
   * Names the current state: a new value on every change, and the old value again after a rollback
   * (which restores the state exactly) — so results cached against it survive what-if simulations.
   */
  version = 0;
  private versions = 0;
  private readonly marks: number[] = [];

  // Holds (reservations): the hold of each slot (-1 none) and what backfill may still use there.
  readonly holdOf: Int32Array;
  readonly spareCpu: Float64Array;
  readonly spareMem: Float64Array;
  readonly spareGpu: Float64Array;
  readonly spareNpu: Float64Array;
  readonly holds: Hold[] = [];

  private readonly level: Int32Array;
  private readonly cpuStep: Int8Array;
  private readonly counted: Uint8Array;
  private readonly slotById = new Map<string, number>();
  private readonly journal: number[] = [];
  private depth = 0;

  constructor(
    readonly name: string,
    nodes: readonly NodeView[],
  ) {
    const sorted = [...nodes].sort((a, b) => cmp(snKey(a), snKey(b)) || cmp(a.id, b.id));
    const n = (this.size = sorted.length);
    const f64 = () => new Float64Array(n);
    this.schedulable = new Uint8Array(n);
    [this.capCpu, this.capMem, this.capGpu, this.capNpu] = [f64(), f64(), f64(), f64()];
    [this.freeCpu, this.freeMem, this.freeGpu, this.freeNpu] = [f64(), f64(), f64(), f64()];
    [this.spareCpu, this.spareMem, this.spareGpu, this.spareNpu] = [f64(), f64(), f64(), f64()];
    this.tasks = new Int32Array(n);
    this.whole = new Uint8Array(n);
    this.supernodeOf = new Int32Array(n).fill(-1);
    this.holdOf = new Int32Array(n).fill(-1);
    this.level = new Int32Array(n).fill(-1);
    this.cpuStep = new Int8Array(n);
    this.cpuAtLeast = CPU_STEPS.map(() => new Bitset(n));
    this.counted = new Uint8Array(n);
    let maxLevel = 0;
    sorted.forEach((node, i) => {
      this.ids.push(node.id);
      this.hosts.push(node.host);
      this.labels.push(node.labels);
      this.acceleratorType.push(node.capacity.acceleratorType);
      this.slotById.set(node.id, i);
      this.schedulable[i] = node.schedulable ? 1 : 0;
      const cap = demandOfFlavor(node.capacity);
      this.capCpu[i] = cap.cpu;
      this.capMem[i] = cap.memoryMiB;
      this.capGpu[i] = cap.gpu;
      this.capNpu[i] = cap.npu;
      maxLevel = Math.max(maxLevel, cap.gpu + cap.npu);
      const sn = node.labels[NodeLabel.Supernode];
      if (sn !== undefined) {
        const last = this.supernodes[this.supernodes.length - 1];
        if (last?.name === sn) last.end = i + 1;
        else this.supernodes.push({ name: sn, start: i, end: i + 1 });
        this.supernodeOf[i] = this.supernodes.length - 1;
      }
    });
    this.maxLevel = maxLevel;
    this.levels = Array.from({ length: maxLevel + 1 }, () => new Bitset(n));
    this.levelCount = new Int32Array(maxLevel + 1);
    this.empty = new Bitset(n);
    this.supernodeEmpty = new Int32Array(this.supernodes.length);
    const largest = this.supernodes.reduce((m, sn) => Math.max(m, sn.end - sn.start), 0);
    this.supernodesByEmpty = Array.from({ length: largest + 1 }, () => new Bitset(this.supernodes.length));
    for (let s = 0; s < this.supernodes.length; s++) this.supernodesByEmpty[0].add(s);
    for (let i = 0; i < n; i++) this.write(i, this.capCpu[i], this.capMem[i], this.capGpu[i], this.capNpu[i], 0, 0);
  }

  slotOf(nodeId: string): number | undefined {
    return this.slotById.get(nodeId);
  }

  // ------------------------------------------------------------------ changes

  /** Adds one task of `d` to slot `i` (owning it whole when `whole`). */
  take(i: number, d: Demand, whole: boolean): void {
    this.setNode(i, this.freeCpu[i] - d.cpu, this.freeMem[i] - d.memoryMiB, this.freeGpu[i] - d.gpu, this.freeNpu[i] - d.npu, this.tasks[i] + 1, whole ? 1 : this.whole[i]);
  }

  /** Removes one task of `d` from slot `i` (what-if: the task ended). */
  release(i: number, d: Demand, whole: boolean): void {
    this.setNode(i, this.freeCpu[i] + d.cpu, this.freeMem[i] + d.memoryMiB, this.freeGpu[i] + d.gpu, this.freeNpu[i] + d.npu, this.tasks[i] - 1, whole ? 0 : this.whole[i]);
  }

  setNode(i: number, cpu: number, mem: number, gpu: number, npu: number, tasks: number, whole: number): void {
    if (this.depth > 0) this.journal.push(0, i, this.freeCpu[i], this.freeMem[i], this.freeGpu[i], this.freeNpu[i], this.tasks[i], this.whole[i]);
    this.write(i, cpu, mem, gpu, npu, tasks, whole);
  }

  setSpare(i: number, cpu: number, mem: number, gpu: number, npu: number): void {
    if (this.depth > 0) this.journal.push(1, i, this.spareCpu[i], this.spareMem[i], this.spareGpu[i], this.spareNpu[i], 0, 0);
    this.spareCpu[i] = cpu;
    this.spareMem[i] = mem;
    this.spareGpu[i] = gpu;
    this.spareNpu[i] = npu;
  }

  /** Starts a tentative change set; returns the mark to `rollback` or `keep`. Marks nest. */
  begin(): number {
    this.depth++;
    this.marks.push(this.version);
    return this.journal.length;
  }

  rollback(mark: number): void {
    const j = this.journal;
    while (j.length > mark) {
      const e = j.length - 8;
      const i = j[e + 1];
      if (j[e] === 0) this.write(i, j[e + 2], j[e + 3], j[e + 4], j[e + 5], j[e + 6], j[e + 7]);
      else {
        this.spareCpu[i] = j[e + 2];
        this.spareMem[i] = j[e + 3];
        this.spareGpu[i] = j[e + 4];
        this.spareNpu[i] = j[e + 5];
      }
      j.length = e;
    }
    this.depth--;
    this.version = this.marks.pop()!;
  }

  /** Makes the change set permanent (its journal is dropped once no outer change set needs it). */
  keep(mark: number): void {
    this.depth--;
    this.marks.pop();
    if (this.depth === 0) this.journal.length = mark;
  }

  /** Holds slot `i` for hold `h`; `spare` is what backfill may still use there (null: nothing). */
  hold(h: Hold, i: number, spare: Demand | null): void {
    this.version = ++this.versions;
    this.holdOf[i] = h.id;
    if (spare) this.setSpare(i, spare.cpu, spare.memoryMiB, spare.gpu, spare.npu);
    else this.setSpare(i, -1, -1, -1, -1);
  }

  /** Forgets every hold (a pass's holds end with it; the spare capacity they set is rolled back). */
  clearHolds(): void {
    if (this.holds.length === 0) return;
    this.holdOf.fill(-1);
    this.holds.length = 0;
  }

  addHold(jobId: string, startsAt: number, whole: boolean): Hold {
    const h: Hold = { id: this.holds.length, jobId, startsAt, whole };
    this.holds.push(h);
    return h;
  }

  // ------------------------------------------------------------------ internals

  private write(i: number, cpu: number, mem: number, gpu: number, npu: number, tasks: number, whole: number): void {
    this.version = ++this.versions;
    const t = this.totals;
    if (this.counted[i]) {
      t.cpu -= this.freeCpu[i];
      t.memoryMiB -= this.freeMem[i];
      t.gpu -= this.freeGpu[i];
      t.npu -= this.freeNpu[i];
    }
    this.freeCpu[i] = cpu;
    this.freeMem[i] = mem;
    this.freeGpu[i] = gpu;
    this.freeNpu[i] = npu;
    this.tasks[i] = tasks;
    this.whole[i] = whole;
    const counted = this.schedulable[i] === 1 && whole === 0;
    this.counted[i] = counted ? 1 : 0;
    if (counted) {
      t.cpu += cpu;
      t.memoryMiB += mem;
      t.gpu += gpu;
      t.npu += npu;
    }
    const level = counted ? Math.max(0, Math.min(this.maxLevel, gpu + npu)) : -1;
    const old = this.level[i];
    if (old !== level) {
      if (old >= 0) {
        this.levels[old].delete(i);
        this.levelCount[old]--;
      }
      if (level >= 0) {
        this.levels[level].add(i);
        this.levelCount[level]++;
      }
      this.level[i] = level;
    }
    const step = counted ? cpuStepOf(cpu) : 0;
    const was = this.cpuStep[i];
    if (step !== was) {
      for (let b = step; b < was; b++) this.cpuAtLeast[b].delete(i);
      for (let b = was; b < step; b++) this.cpuAtLeast[b].add(i);
      this.cpuStep[i] = step;
    }
    const isEmpty = counted && tasks === 0;
    if (isEmpty !== this.empty.has(i)) {
      if (isEmpty) this.empty.add(i);
      else this.empty.delete(i);
      const sn = this.supernodeOf[i];
      if (sn >= 0) {
        this.supernodesByEmpty[this.supernodeEmpty[sn]].delete(sn);
        this.supernodeEmpty[sn] += isEmpty ? 1 : -1;
        this.supernodesByEmpty[this.supernodeEmpty[sn]].add(sn);
      }
    }
  }
}

/** Free-cpu thresholds of `cpuAtLeast`, in millicores: 0, then 1, 2, 4 … 32,768 cores. */
export const CPU_STEPS: readonly number[] = [0, ...Array.from({ length: 16 }, (_, k) => 1000 * 2 ** k)];

/** How many thresholds `cpu` millicores reach (the node is in `cpuAtLeast[0 … step-1]`). */
function cpuStepOf(cpu: number): number {
  let b = 0;
  while (b < CPU_STEPS.length && cpu >= CPU_STEPS[b]) b++;
  return b;
}

/** The highest threshold not above a demand: every node with that much free might fit it. */
export function cpuStepFor(demand: number): number {
  let b = 0;
  while (b + 1 < CPU_STEPS.length && CPU_STEPS[b + 1] <= demand) b++;
  return b;
}

// Unlabelled nodes sort after every supernode; they belong to none.
const snKey = (n: NodeView) => n.labels[NodeLabel.Supernode] ?? '\uffff';
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
