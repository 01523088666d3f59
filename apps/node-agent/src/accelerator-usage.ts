import type { TaskResourceSample } from '@trainyard/contracts';
import { runTool } from './preflight/run-tool';

/**
 * GPU and NPU utilisation and memory per task, for the resource sample (ch14 §5.1: the guide's
 * `ma_container_gpu_*` and `ma_container_npu_*` ids). Parsers are pure and read what the vendor tools
 * print; `readAcceleratorUsage` runs the tools; `acceleratorMetrics` attributes cards to tasks.
 */

/** One card at one instant. Fields the tool reports as `[N/A]` / `[Not Supported]` are undefined. */
export interface CardUsage {
  kind: 'gpu' | 'npu';
  /** `nvidia-smi` index / `npu-smi` NPU id. */
  index: string;
  /** GPU UUID (what `--query-compute-apps` names a card by); undefined for NPUs. */
  uuid?: string;
  util?: number;
  memUsedMiB?: number;
  memTotalMiB?: number;
}

/** A process using a card, as the vendor tool lists it (host pid). */
export interface CardProcess {
  pid: number;
  /** GPU UUID or NPU id: the key of the card in `CardUsage`. */
  card: string;
}

export const NVIDIA_SMI_USAGE_ARGS = ['--query-gpu=index,uuid,utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'];
export const NVIDIA_SMI_APPS_ARGS = ['--query-compute-apps=pid,gpu_uuid,used_memory', '--format=csv,noheader,nounits'];

/** A CSV / table field as a number; `[N/A]`, `[Not Supported]`, `-` and the like are undefined. */
const num = (s: string | undefined): number | undefined => {
  const t = s?.trim() ?? '';
  if (!/^-?\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
};

/** `nvidia-smi --query-gpu=index,uuid,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits`. */
export function parseGpuUsage(csv: string): CardUsage[] {
  return csv
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+\s*,/.test(l))
    .map((l) => {
      const [index, uuid, util, used, total] = l.split(',').map((f) => f.trim());
      return { kind: 'gpu' as const, index, ...(uuid ? { uuid } : {}), util: num(util), memUsedMiB: num(used), memTotalMiB: num(total) };
    });
}

/**
 * `nvidia-smi --query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits`. With no
 * process some driver versions print nothing, others a sentence: only `<pid>, <uuid>, …` lines count.
 */
export function parseGpuApps(csv: string): CardProcess[] {
  return csv.split('\n').flatMap((l) => {
    const m = l.trim().match(/^(\d+)\s*,\s*([^,\s]+)/);
    return m ? [{ pid: Number(m[1]), card: m[2] }] : [];
  });
}

/**
 * `npu-smi info`: per NPU, a first row `| <id> <name> | <health> | …` and a second row
 * `| <chip> | <bus id> | <AICore %> <mem used> / <total> [<HBM used> / <total>] |`; then the process
 * table `| <npu> <chip> | <pid> | <name> | <MB> |`. Memory is HBM where the card has it (910B),
 * else the DDR `Memory-Usage` column (310P).
 */
export function parseNpuUsage(text: string): { cards: CardUsage[]; processes: CardProcess[] } {
  const cards: CardUsage[] = [];
  const processes: CardProcess[] = [];
  let current: string | undefined;
  let inProcesses = false;
  for (const line of text.split('\n')) {
    if (/Process id/i.test(line)) inProcesses = true;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length < 3) continue;
    if (inProcesses) {
      const [npu] = cells[0].split(/\s+/);
      const pid = num(cells[1]);
      if (num(npu) !== undefined && pid !== undefined) processes.push({ pid, card: npu });
      continue;
    }
    const head = cells[0].match(/^(\d+)\s+\S+/);
    if (head && /^[A-Za-z]+$/.test(cells[1])) {
      current = head[1];
      continue;
    }
    // The row after the NPU's: chip, bus id, then "AICore  used / total  [used / total]".
    if (current !== undefined && /^\d+$/.test(cells[0]) && /^[0-9A-Fa-f]{4}:/.test(cells[1])) {
      const m = cells[2].match(/^(\S+)\s+(\S+)\s*\/\s*(\S+)(?:\s+(\S+)\s*\/\s*(\S+))?/);
      if (m) {
        const hbm = num(m[5]) ? { used: num(m[4]), total: num(m[5]) } : undefined;
        const mem = hbm ?? { used: num(m[2]), total: num(m[3]) };
        cards.push({ kind: 'npu', index: current, util: num(m[1]), memUsedMiB: mem.used, ...(mem.total ? { memTotalMiB: mem.total } : {}) });
      }
      current = undefined;
    }
  }
  return { cards, processes };
}

/** What the node's tools said at one instant; a tool that is missing or fails contributes nothing. */
export interface AcceleratorUsage {
  cards: CardUsage[];
  processes: CardProcess[];
}

/**
 * Runs `nvidia-smi` (two queries) and `npu-smi info` found on `toolPath` (the pre-check's tool path,
 * `TY_PREFLIGHT_PATH`). A node without them, or a tool that fails or hangs, yields no cards: the
 * accelerator metrics are then absent, never zero.
 */
export async function readAcceleratorUsage(toolPath: string, timeoutMs: number): Promise<AcceleratorUsage> {
  const out: AcceleratorUsage = { cards: [], processes: [] };
  const gpus = await runTool('nvidia-smi', NVIDIA_SMI_USAGE_ARGS, toolPath, timeoutMs);
  if (gpus.kind === 'exited' && gpus.code === 0) {
    out.cards.push(...parseGpuUsage(gpus.stdout));
    const apps = await runTool('nvidia-smi', NVIDIA_SMI_APPS_ARGS, toolPath, timeoutMs);
    if (apps.kind === 'exited' && apps.code === 0) out.processes.push(...parseGpuApps(apps.stdout));
  }
  const npus = await runTool('npu-smi', ['info'], toolPath, timeoutMs);
  if (npus.kind === 'exited' && npus.code === 0) {
    const n = parseNpuUsage(npus.stdout);
    out.cards.push(...n.cards);
    out.processes.push(...n.processes.map((p) => ({ pid: p.pid, card: `npu:${p.card}` })));
  }
  return out;
}

/** A task as the attribution sees it: the pids of its processes and the cards it asked for. */
export interface AcceleratorTask {
  key: string;
  pids: readonly number[];
  gpu?: number;
  npu?: number;
}

const cardKey = (c: CardUsage) => (c.kind === 'gpu' ? (c.uuid ?? c.index) : `npu:${c.index}`);

/**
 * The cards each task uses and their metrics (pure). A card is a task's when the tool lists one of
 * the task's pids on it. When no pid matches (a container's processes seen under another pid
 * namespace, a tool that lists no processes) and the task is the only one on the node asking for that
 * kind of card, the node's cards of that kind are its: one training instance per node is the usual
 * layout. Otherwise the task gets no accelerator metrics rather than another task's.
 */
export function acceleratorMetrics(usage: AcceleratorUsage, tasks: readonly AcceleratorTask[]): Map<string, TaskResourceSample['values']> {
  const out = new Map<string, TaskResourceSample['values']>();
  for (const kind of ['gpu', 'npu'] as const) {
    const cards = usage.cards.filter((c) => c.kind === kind);
    if (cards.length === 0) continue;
    const asking = tasks.filter((t) => (t[kind] ?? 0) > 0);
    for (const t of tasks) {
      const pids = new Set(t.pids);
      const used = new Set(usage.processes.filter((p) => pids.has(p.pid)).map((p) => p.card));
      let mine = cards.filter((c) => used.has(cardKey(c)));
      if (mine.length === 0 && asking.length === 1 && asking[0] === t) mine = cards;
      if (mine.length === 0) continue;
      out.set(t.key, { ...out.get(t.key), ...cardMetrics(kind, mine) });
    }
  }
  return out;
}

/** Mean utilisation over the task's cards; memory summed (used) and relative to their summed capacity. */
function cardMetrics(kind: 'gpu' | 'npu', cards: CardUsage[]): TaskResourceSample['values'] {
  const utils = cards.flatMap((c) => (c.util !== undefined ? [c.util] : []));
  const used = cards.flatMap((c) => (c.memUsedMiB !== undefined ? [c.memUsedMiB] : []));
  const total = cards.reduce((a, c) => a + (c.memTotalMiB ?? 0), 0);
  const usedSum = used.reduce((a, b) => a + b, 0);
  const v: TaskResourceSample['values'] = {};
  const util = utils.length ? round(utils.reduce((a, b) => a + b, 0) / utils.length) : undefined;
  const memUtil = used.length && total > 0 ? round(Math.min(100, (usedSum / total) * 100)) : undefined;
  if (kind === 'gpu') {
    if (util !== undefined) v.ma_container_gpu_util = util;
    if (used.length) v.ma_container_gpu_mem_used_megabytes = round(usedSum);
    if (memUtil !== undefined) v.ma_container_gpu_mem_util = memUtil;
  } else {
    if (util !== undefined) v.ma_container_npu_ai_core_util = util;
    if (used.length) v.ma_container_npu_memory_used_megabytes = round(usedSum);
    if (memUtil !== undefined) v.ma_container_npu_memory_util = memUtil;
  }
  return v;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
