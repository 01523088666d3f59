import type { FailureAnalysis, FieldError, JobWaitReason, Tag, TrainingJobSpec } from '@trainyard/contracts';

/**
 * The shapes of the public API's answers the console reads (see `/openapi.json`). The console is a
 * client of the HTTP API like any other: it restates them instead of importing the server's types.
 */
export type JobState = 'creating' | 'waiting' | 'running' | 'terminating' | 'terminated' | 'completed' | 'failed' | 'abnormal' | 'deleting' | 'deleted';

export interface JobSummary {
  id: string;
  name: string;
  state: JobState;
  priority: number;
  nodeCount: number;
  attempt: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
  project: string;
}

export interface Task {
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

export interface Job extends JobSummary {
  description: string | null;
  stateZh: string;
  dispatched: boolean;
  reason: string | null;
  createdBy: string;
  spec: TrainingJobSpec;
  tasks: Task[];
  waitReason: JobWaitReason | null;
  requeue: string | null;
  preemptedBy: string | null;
}

export interface JobPage {
  items: JobSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface JobEvent {
  seq: number;
  idx: number;
  type: string;
  time: string;
  task: string | null;
  message: string;
  messageZh: string;
  data: any;
  actor: string;
}

export interface RecoveryView {
  policy: { autoRestart: boolean; maxRestarts: number; unconditional: boolean; hangRetry: boolean; maxPodRestarts?: number };
  restarts: { current: number; max: number } | null;
  history: Array<{ seq: number; time: string; kind: 'decision' | 'suspected-hang'; rule?: string; action?: string; attempt: number; message?: string; messageZh?: string; fault?: any; restarts?: { current: number; max: number } }>;
  analyses: Array<FailureAnalysis & { time: string; task: string; attempt: number }>;
}

export interface LogLine {
  attempt: number;
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface MetricSeries {
  metric: string;
  unit: string;
  task: string;
  nodeId: string;
  points: Array<[string, number]>;
}

export interface Amounts {
  cpu: number;
  memoryMiB: number;
  gpu: number;
  npu: number;
}

export interface NodeItem {
  id: string;
  host: string;
  pool: string;
  capacity: Amounts & { acceleratorType?: string };
  used: Amounts;
  labels: Record<string, string>;
  registeredAt: string;
  status: 'ready' | 'lost' | 'unknown';
  lastHeartbeat: string | null;
  availability: 'suspect' | 'isolated' | 'draining' | null;
  isolation: { reason: string; by: string; since: string; detail?: string } | null;
}

export interface Pool {
  name: string;
  nodes: string[];
  readyNodes: number;
  capacity: Amounts;
  used: Amounts;
  free: Amounts;
  supernodes: Record<string, string[]>;
}

export interface DashboardFigures {
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

export interface DashboardOverview {
  total: number;
  byState: Record<string, number>;
  requestedCards: { gpu: number; npu: number };
}

export interface TrendPoint {
  from: string;
  to: string;
  jobs: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  failureRate: number | null;
  recoverySuccessRate: number | null;
  recoveryTimeSeconds: number | null;
}

export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  target: { kind: 'job' | 'node'; id: string };
  types: string[];
  message: string;
}

export interface AuthConfig {
  token: boolean;
  oidc: { issuer: string; clientId: string; scope: string } | null;
}

export type { FieldError, Tag, TrainingJobSpec };
