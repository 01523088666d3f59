import type { ErrorBody } from './errors';
import type { JobWaitReason } from './events';
import type { TrainingJobSpec } from './job-spec';

/**
 * The HTTP API's wire shapes as its clients (the CLI, the web console) read them, beside the
 * `/openapi.json` that describes them. Timestamps are ISO-8601 strings; fields that have no value yet
 * (a job that never started) are `null`. Fields newer APIs added are optional, so a client formats
 * defensively and shows `-` for what an older API leaves out.
 */

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
  /** The job's project (`default` until issue 11 gives jobs projects). */
  project?: string;
}

export interface JobPage {
  items: JobSummary[];
  total: number;
  limit: number;
  offset: number;
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
  /** The guide's Chinese label of `state`, e.g. 运行中. */
  stateZh: string;
  dispatched: boolean;
  /** Why the job is where it is: the failure, the pending reason, … */
  reason: string | null;
  createdBy: string;
  spec: TrainingJobSpec;
  tasks: TaskView[];
  /** Why the job waits, with the numbers; null once placed (older APIs leave it out). */
  waitReason?: JobWaitReason | null;
  /** `preemption` / `fault-recovery` while the job waits again after a run (first priority). */
  requeue?: string | null;
  preemptedBy?: string | null;
}

export interface JobEventView {
  seq: number;
  /** Position of the event inside its commit. */
  idx: number;
  type: string;
  time: string;
  task: string | null;
  message: string;
  messageZh: string;
  data: unknown;
  actor: string;
}

export interface LogLine {
  attempt: number;
  /** Resume cursor: `afterSeq=<seq>` returns the lines after this one. */
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr' | string;
  text: string;
}

export interface LogPage {
  items: LogLine[];
  /** The `afterSeq` to ask for next. */
  nextSeq: number;
}

/** One hit of a log search. */
export interface LogSearchHit {
  task: string;
  attempt: number;
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr' | string;
  text: string;
}

export interface LogSearchPage {
  items: LogSearchHit[];
  /** Cursor of the next page (`after=`), null on the last one. */
  next: string | null;
}

export interface Resources {
  cpu: number;
  memoryMiB: number;
  gpu: number;
  npu: number;
}

export interface NodeView {
  id: string;
  host: string;
  pool: string;
  capacity: Resources;
  used: Resources;
  labels: Record<string, string>;
  status: string;
  lastHeartbeat: string | null;
  /** `suspect`, `isolated` or `draining`; null while in service (fault manager). */
  availability?: 'suspect' | 'isolated' | 'draining' | null;
  isolation?: { reason: string; by: string; since: string; detail?: string } | null;
}

/** `GET /v1/training-jobs/{id}/recovery`: the job's fault tolerance ("容错与恢复"). */
export interface RecoveryView {
  jobId: string;
  policy: { autoRestart: boolean; maxRestarts: number; unconditional: boolean; hangRetry: boolean; maxPodRestarts?: number };
  /** "当前重启次数/最大重启次数"; null when auto restart is off. */
  restarts: { current: number; max: number } | null;
  history: RecoveryEntry[];
  analyses: FailureAnalysisView[];
}

export interface RecoveryEntry {
  seq: number;
  time: string;
  kind: 'decision' | 'suspected-hang';
  attempt: number;
  rule?: string;
  action?: string;
  fault?: { kind: string; task?: string; nodeId?: string; code?: string; hardware: boolean };
  restarts?: { current: number; max: number };
  consecutive?: number;
  isolate?: string[];
  message?: string;
  messageZh?: string;
}

export interface FailureAnalysisView {
  time: string;
  task: string;
  attempt: number;
  rule: string;
  cause: string;
  advice: string;
  adviceKind: 'reference_case' | 'copy_job';
  evidence: { seq: number; text: string }[];
}

export interface PoolView {
  name: string;
  nodes: string[];
  readyNodes: number;
  capacity: Resources;
  used: Resources;
  free: Resources;
  supernodes: Record<string, string[]>;
}

export interface VerifyResult {
  equal: boolean;
  differences: unknown[];
  seq?: number;
  /** Commits the live projection quarantined (a rebuild skips them too). */
  quarantined?: number[];
  /** Dead letters are open: the read models lack messages even when a rebuild equals them. */
  degraded?: boolean;
  quarantine?: { count: number; latest: DeadLetterView | null };
}

/** One dead letter (`GET /v1/admin/quarantine`): a message a consumer could not apply. */
export interface DeadLetterView {
  /** `db:<n>` or `js:<seq>`. */
  id: string;
  consumer: string;
  stream: string;
  seq: number;
  subject: string;
  code: string;
  message: string;
  attempts: number;
  firstFailedAt: string;
  quarantinedAt: string;
  state: 'quarantined' | 'retried' | 'dismissed';
  resolvedAt: string | null;
  payloadBytes: number;
  retryable: boolean;
}

/** Every error response: `{ error: { code, message, details? } }`. */
export interface ErrorResponse {
  error: ErrorBody;
}

/** `GET /v1/training-jobs/{id}/metrics`: one series per metric (the guide's ma_container_* ids), task and node. */
export interface MetricSeries {
  metric: string;
  unit: string;
  task: string;
  nodeId: string;
  /** `[start of the step, average over it]`, oldest first. */
  points: Array<[string, number]>;
}

/** `GET /v1/dashboard`: the guide's figures over the jobs created in a window (ch14 §7.1). */
export interface DashboardFiguresView {
  from: string;
  to: string;
  jobs: { total: number; succeeded: number; failed: number; recoveryEnabled: number };
  successRate: number | null;
  failureRate: number | null;
  recoveryEnabledRate: number | null;
  recoverySuccessRate: number | null;
  recoveries: { succeeded: number; failed: number; inProgress: number };
  recoveryTimeSeconds: { mean: number; p50: number; max: number } | null;
}

/** `GET /v1/dashboard/overview`. */
export interface DashboardOverview {
  total: number;
  byState: Record<string, number>;
  requestedCards: { gpu: number; npu: number };
}

/** One day of `GET /v1/dashboard/trend`. */
export interface TrendPoint {
  from: string;
  to: string;
  jobs: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  failureRate: number | null;
  recoveryEnabledRate: number | null;
  recoverySuccessRate: number | null;
  recoveryTimeSeconds: number | null;
}

/** One row of `GET /v1/audit`: a command a principal had committed. */
export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  target: { kind: 'job' | 'node'; id: string };
  types: string[];
  message: string;
}

/** `GET /v1/auth/config`: how one signs in. */
export interface AuthConfig {
  token: boolean;
  oidc: { issuer: string; clientId: string; scope: string } | null;
}
