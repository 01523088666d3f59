import type { Capacity, JobWaitReason, RequeueReason, TrainingJobSpec } from '@trainyard/contracts';

/**
 * What the HTTP face reads: views over the PostgreSQL projections (never the log itself), plus the
 * two projection controls it needs — wait for a sequence (read your own writes) and verify a rebuild.
 */
export interface ReadModel {
  listJobs(q: { state?: string; limit: number; offset: number }): Promise<{ items: JobSummary[]; total: number }>;
  getJob(id: string): Promise<JobView | undefined>;
  listJobEvents(jobId: string): Promise<JobEventView[]>;
  listNodes(): Promise<NodeRow[]>;
  listPools(): Promise<PoolRow[]>;
  /** Resolves once the projection has applied the commit at `seq` (or rejects after the timeout). */
  waitFor(seq: number, timeoutMs: number): Promise<void>;
  verify(): Promise<{ equal: boolean; differences: unknown[] }>;
}

export interface JobSummary {
  id: string;
  name: string;
  state: string;
  priority: number;
  nodeCount: number;
  attempt: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
}

export interface TaskView {
  name: string;
  index: number;
  state: string;
  nodeId: string | null;
  attempt: number;
  exitCode: number | null;
  signal: string | null;
  procStartCount: number;
  startedAt: string | null;
  endedAt: string | null;
}

export interface JobView extends JobSummary {
  description: string | null;
  stateZh: string;
  dispatched: boolean;
  reason: string | null;
  createdBy: string;
  spec: TrainingJobSpec;
  tasks: TaskView[];
  /** Why the job waits, with the numbers (null once placed). */
  waitReason: JobWaitReason | null;
  /** Set while the job waits again after a run: it queues at first priority. */
  requeue: RequeueReason | null;
  preemptedBy: string | null;
}

export interface JobEventView {
  seq: number;
  idx: number;
  type: string;
  time: string;
  task: string | null;
  message: string;
  messageZh: string;
  data: unknown;
  actor: string;
}

export interface NodeRow {
  id: string;
  /** `suspect`, `isolated` or `draining`; null while in service (fault manager). */
  availability?: 'suspect' | 'isolated' | 'draining' | null;
  /** Why and since when it is out of service. */
  isolation?: { reason: string; by: string; since: string; detail?: string } | null;
  host: string;
  pool: string;
  capacity: Capacity;
  used: Capacity;
  labels: Record<string, string>;
}

type Amounts = Pick<Capacity, 'cpu' | 'memoryMiB' | 'gpu' | 'npu'>;

export interface PoolRow {
  name: string;
  nodes: string[];
  capacity: Amounts;
  used: Amounts;
  free: Amounts;
  supernodes: Record<string, string[]>;
}
