import { DEFAULT_PROJECT, type Capacity, type JobWaitReason, type RequeueReason } from '@trainyard/contracts';
import { tasksHoldingNodes, isEnded, isSchedulableNode, type ExistingTrainingJob } from '@trainyard/domain';
import type { FoldedJob, HistoryFold } from './history-fold';

/** Where a past-moment answer was cut: the last commit included and its time. */
export interface MomentRef {
  seq: number;
  time: string | null;
}

/** One task of a job at a past moment. */
export interface TaskAt {
  name: string;
  index: number;
  state: string;
  nodeId: string | null;
  attempt: number;
  exitCode: number | null;
  signal: string | null;
  procStartCount: number;
}

/**
 * A job as it was at a past moment: the fields of the live job view (`GET /v1/training-jobs/{id}`)
 * the deciders' state holds, named alike, so the two read the same way.
 */
export interface JobAt {
  id: string;
  name: string;
  /** `metadata.project`, or `default`. */
  project: string;
  state: string;
  priority: number;
  nodeCount: number;
  attempt: number;
  dispatched: boolean;
  reason: string | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  tasks: TaskAt[];
  waitReason: JobWaitReason | null;
  requeue: RequeueReason | null;
  preemptedBy: string | null;
  /** Sequence of the job's last commit at that moment. */
  lastSeq: number;
}

/** A node as it was at a past moment, with the capacity its tasks held (the live `GET /v1/nodes` rule). */
export interface NodeAt {
  id: string;
  host: string;
  pool: string;
  capacity: Capacity;
  used: Pick<Capacity, 'cpu' | 'memoryMiB' | 'gpu' | 'npu'>;
  labels: Record<string, string>;
  registeredAt: string;
  availability: 'suspect' | 'isolated' | 'draining' | null;
  schedulable: boolean;
}

/** The job view of a folded job; undefined before its JobCreated. */
export function jobAt(id: string, folded: FoldedJob | undefined): JobAt | undefined {
  const s = folded?.state;
  if (!s || s.status === 'none') return undefined;
  return {
    id,
    name: s.spec.metadata.name,
    project: (s.spec.metadata as { project?: string }).project || DEFAULT_PROJECT,
    state: s.status,
    priority: s.priority,
    nodeCount: s.spec.spec.resource.nodeCount ?? s.tasks.length,
    attempt: s.attempt,
    dispatched: s.dispatched,
    reason: reasonOf(s),
    createdBy: s.createdBy,
    createdAt: s.createdAt,
    startedAt: s.startedAt ?? null,
    endedAt: s.endedAt ?? null,
    tasks: s.tasks.map((t) => ({
      name: t.name, index: t.index, state: t.status, nodeId: t.nodeId ?? null, attempt: t.attempt,
      exitCode: t.exitCode, signal: t.signal ?? null, procStartCount: t.procStartCount,
    })),
    waitReason: s.waitReason ?? null,
    requeue: s.requeue?.reason ?? null,
    preemptedBy: s.preemption?.by ?? null,
    lastSeq: folded!.version,
  };
}

/** Why the job ended or is stopping, as the job row's `reason` says it. */
function reasonOf(s: ExistingTrainingJob): string | null {
  if (s.failure) return s.failure.reason;
  if (s.stop) return s.stop.reason;
  if (s.preemption) return 'preempted';
  if (s.recovery?.rescheduling) return 'fault-recovery';
  return null;
}

/** Every job that existed at the fold's moment, newest first (as `GET /v1/training-jobs` lists). */
export function jobsAt(fold: HistoryFold, opts: { includeDeleted?: boolean } = {}): JobAt[] {
  const out: JobAt[] = [];
  for (const [id, folded] of fold.jobs) {
    const j = jobAt(id, folded);
    if (j && (opts.includeDeleted || j.state !== 'deleted')) out.push(j);
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0));
}

/** Every registered node at the fold's moment, by id, with the capacity its tasks held. */
export function nodesAt(fold: HistoryFold): NodeAt[] {
  const used = new Map<string, NodeAt['used']>();
  for (const { state } of fold.jobs.values()) {
    if (state.status === 'none') continue;
    const f = state.spec.spec.resource.flavor;
    for (const t of tasksHoldingNodes(state)) {
      if (!t.nodeId) continue;
      const u = used.get(t.nodeId) ?? { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
      used.set(t.nodeId, { cpu: u.cpu + f.cpu, memoryMiB: u.memoryMiB + f.memoryMiB, gpu: u.gpu + (f.gpu ?? 0), npu: u.npu + (f.npu ?? 0) });
    }
  }
  const out: NodeAt[] = [];
  for (const [id, n] of fold.nodes) {
    if (n.status !== 'registered') continue;
    const u = used.get(id) ?? { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
    out.push({
      id, host: n.host, pool: n.pool, capacity: n.capacity, labels: n.labels, registeredAt: n.registeredAt,
      used: { cpu: round(u.cpu), memoryMiB: round(u.memoryMiB), gpu: round(u.gpu), npu: round(u.npu) },
      availability: n.availability && n.availability !== 'in-service' ? n.availability : null,
      schedulable: isSchedulableNode(n),
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Jobs per state, and how many were running, waiting and ended. */
export function clusterSummaryAt(fold: HistoryFold): { jobs: number; byState: Record<string, number>; ended: number; nodes: number } {
  const byState: Record<string, number> = {};
  let ended = 0;
  let jobs = 0;
  for (const { state } of fold.jobs.values()) {
    if (state.status === 'none') continue;
    jobs++;
    byState[state.status] = (byState[state.status] ?? 0) + 1;
    if (isEnded(state.status)) ended++;
  }
  return { jobs, byState, ended, nodes: [...fold.nodes.values()].filter((n) => n.status === 'registered').length };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
