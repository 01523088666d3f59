import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ErrorCode, FieldCode } from './errors';
import type { JobWaitReason } from './events';
import { FLAVOR_ID_PATTERN, FlavorSchema, TrainingJobSpecSchema, stringEnum } from './job-spec';

/*
 * The native HTTP API's wire shapes (`/v1`) as its clients (the CLI, the web console) read them: one
 * TypeBox schema each, from which the TypeScript types (`Static`) and `/openapi.json` derive.
 * Timestamps are ISO-8601 strings; fields that have no value yet (a job that never started) are
 * `null`. Fields newer APIs added are optional, so a client formats defensively and shows `-` for
 * what an older API leaves out.
 */

const nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const time = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });

/** The guide's nine states (ch14 §2.1) plus `deleted`. */
export const JOB_STATES = ['creating', 'waiting', 'running', 'terminating', 'terminated', 'completed', 'failed', 'abnormal', 'deleting', 'deleted'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const JobStateSchema = stringEnum(JOB_STATES, "The guide's states (ch14 §2.1); deleted after JobDeleted");

export const JobSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  state: Type.String({ description: 'One of JobState' }),
  priority: Type.Integer(),
  nodeCount: Type.Integer(),
  attempt: Type.Integer(),
  createdAt: time(),
  startedAt: nullable(time()),
  endedAt: nullable(time()),
  updatedAt: time(),
  project: Type.Optional(Type.String({ description: "The job's project (its spec's metadata.project; `default` when it names none)" })),
  description: Type.Optional(nullable(Type.String())),
  tags: Type.Optional(Type.Array(Type.Object({ key: Type.String(), value: Type.String() }))),
  experiment: Type.Optional(nullable(Type.String())),
});
export type JobSummary = Static<typeof JobSummarySchema>;

export const JobPageSchema = Type.Object({ items: Type.Array(JobSummarySchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
export type JobPage = Static<typeof JobPageSchema>;

export const TaskViewSchema = Type.Object({
  name: Type.String(),
  index: Type.Integer(),
  state: Type.String(),
  nodeId: nullable(Type.String()),
  attempt: Type.Integer(),
  exitCode: nullable(Type.Integer()),
  signal: nullable(Type.String()),
  procStartCount: Type.Integer(),
  startedAt: nullable(time()),
  endedAt: nullable(time()),
});
export type TaskView = Static<typeof TaskViewSchema>;

export const JobWaitReasonSchema = Type.Unsafe<JobWaitReason>(Type.Object({
  code: Type.String(),
  position: Type.Optional(Type.Integer()),
  deficit: Type.Optional(Type.Record(Type.String(), Type.Number())),
  unplacedInstances: Type.Optional(Type.Integer()),
  blockedBy: Type.Optional(Type.String()),
  cause: Type.Optional(Type.String()),
  victims: Type.Optional(Type.Array(Type.String())),
  startsAt: Type.Optional(nullable(time())),
  affinityGroups: Type.Optional(Type.Object({ needed: Type.Integer(), allocatable: Type.Integer() })),
  detail: Type.Optional(Type.String()),
  causes: Type.Optional(Type.Array(Type.String(), { description: 'Every reason that holds at once: QUOTA, CAPACITY, RESERVATION, AFFINITY, PREEMPTION, NO_NODES, NEVER_FITS' })),
  shortfalls: Type.Optional(Type.Array(Type.Object({
    resource: Type.String(),
    used: Type.Number(),
    requested: Type.Number(),
    guaranteed: Type.Number(),
    limit: nullable(Type.Number()),
    cohort: Type.Optional(Type.Object({ name: Type.String(), used: Type.Number(), guaranteed: Type.Number() })),
  }), { description: 'What the project quota (or its cohort) is short of; cpu in cores' })),
  noQuota: Type.Optional(Type.Boolean()),
  estimatedStart: Type.Optional(nullable(time('Expected start from the running jobs\' expected ends; null = not known'))),
}, { description: 'Why the job waits, with the numbers' }));

export const JobViewSchema = Type.Composite([
  JobSummarySchema,
  Type.Object({
    description: nullable(Type.String()),
    stateZh: Type.String({ description: "The guide's Chinese label of state, e.g. 运行中" }),
    dispatched: Type.Boolean(),
    reason: nullable(Type.String({ description: 'Why the job is where it is: the failure, the pending reason, …' })),
    createdBy: Type.String(),
    spec: TrainingJobSpecSchema,
    tasks: Type.Array(TaskViewSchema),
    waitReason: Type.Optional(nullable(JobWaitReasonSchema)),
    requeue: Type.Optional(nullable(Type.String({ description: 'preemption / fault-recovery while the job waits again after a run' }))),
    preemptedBy: Type.Optional(nullable(Type.String())),
  }),
]);
export type JobView = Static<typeof JobViewSchema>;

export const JobEventViewSchema = Type.Object({
  seq: Type.Integer(),
  idx: Type.Integer({ description: 'Position of the event inside its commit' }),
  type: Type.String(),
  time: time(),
  task: nullable(Type.String()),
  message: Type.String(),
  messageZh: Type.String(),
  data: Type.Unknown(),
  actor: Type.String(),
});
export type JobEventView = Static<typeof JobEventViewSchema>;
export const EventListSchema = page(JobEventViewSchema);

export const LogLineSchema = Type.Object({
  attempt: Type.Integer(),
  seq: Type.Integer({ description: 'Resume cursor: afterSeq=<seq> returns the lines after this one' }),
  ts: time(),
  stream: Type.String({ description: 'stdout or stderr' }),
  text: Type.String(),
  bytes: Type.Optional(Type.String({ description: 'base64 of the exact bytes of a line that is not UTF-8' })),
});
export type LogLine = Static<typeof LogLineSchema>;
export const LogPageSchema = Type.Object({ items: Type.Array(LogLineSchema), nextSeq: Type.Integer({ description: 'The afterSeq to ask for next' }) });
export type LogPage = Static<typeof LogPageSchema>;

export const LogSearchHitSchema = Type.Object({ task: Type.String(), attempt: Type.Integer(), seq: Type.Integer(), ts: time(), stream: Type.String(), text: Type.String() });
export type LogSearchHit = Static<typeof LogSearchHitSchema>;
export const LogSearchPageSchema = Type.Object({ items: Type.Array(LogSearchHitSchema), next: nullable(Type.String({ description: 'Cursor of the next page (after=)' })) });
export type LogSearchPage = Static<typeof LogSearchPageSchema>;

export const ResourcesSchema = Type.Object({ cpu: Type.Number(), memoryMiB: Type.Number(), gpu: Type.Number(), npu: Type.Number() });
export type Resources = Static<typeof ResourcesSchema>;

export const NodeViewSchema = Type.Object({
  id: Type.String(),
  host: Type.String(),
  pool: Type.String(),
  capacity: ResourcesSchema,
  used: ResourcesSchema,
  labels: Type.Record(Type.String(), Type.String()),
  status: Type.String(),
  lastHeartbeat: nullable(time()),
  availability: Type.Optional(nullable(stringEnum(['suspect', 'isolated', 'draining'] as const))),
  isolation: Type.Optional(nullable(Type.Object({ reason: Type.String(), by: Type.String(), since: time(), detail: Type.Optional(Type.String()) }))),
});
export type NodeView = Static<typeof NodeViewSchema>;
export const NodeListSchema = page(NodeViewSchema);

const RestartsSchema = Type.Object({ current: Type.Integer(), max: Type.Integer() });
export const RecoveryEntrySchema = Type.Object({
  seq: Type.Integer(),
  time: time(),
  kind: stringEnum(['decision', 'suspected-hang'] as const),
  attempt: Type.Integer(),
  rule: Type.Optional(Type.String()),
  action: Type.Optional(Type.String()),
  fault: Type.Optional(Type.Object({ kind: Type.String(), task: Type.Optional(Type.String()), nodeId: Type.Optional(Type.String()), code: Type.Optional(Type.String()), hardware: Type.Boolean() })),
  restarts: Type.Optional(RestartsSchema),
  consecutive: Type.Optional(Type.Integer()),
  isolate: Type.Optional(Type.Array(Type.String())),
  message: Type.Optional(Type.String()),
  messageZh: Type.Optional(Type.String()),
});
export type RecoveryEntry = Static<typeof RecoveryEntrySchema>;
export const FailureAnalysisViewSchema = Type.Object({
  time: time(),
  task: Type.String(),
  attempt: Type.Integer(),
  rule: Type.String(),
  cause: Type.String(),
  advice: Type.String(),
  adviceKind: stringEnum(['reference_case', 'copy_job'] as const, 'copy_job: `yard copy <id> --set …` recreates the job with fixes'),
  evidence: Type.Array(Type.Object({ seq: Type.Integer(), text: Type.String() })),
});
export type FailureAnalysisView = Static<typeof FailureAnalysisViewSchema>;
export const RecoveryViewSchema = Type.Object({
  jobId: Type.String(),
  policy: Type.Object({ autoRestart: Type.Boolean(), maxRestarts: Type.Integer(), unconditional: Type.Boolean(), hangRetry: Type.Boolean(), maxPodRestarts: Type.Optional(Type.Integer()) }),
  restarts: nullable(RestartsSchema),
  history: Type.Array(RecoveryEntrySchema),
  analyses: Type.Array(FailureAnalysisViewSchema),
}, { description: 'The job fault tolerance (容错与恢复)' });
export type RecoveryView = Static<typeof RecoveryViewSchema>;

export const PoolViewSchema = Type.Object({
  name: Type.String(),
  nodes: Type.Array(Type.String()),
  readyNodes: Type.Integer(),
  capacity: ResourcesSchema,
  used: ResourcesSchema,
  free: ResourcesSchema,
  supernodes: Type.Record(Type.String(), Type.Array(Type.String())),
});
export type PoolView = Static<typeof PoolViewSchema>;
export const PoolListSchema = page(PoolViewSchema);

export const DeadLetterViewSchema = Type.Object({
  id: Type.String({ description: 'db:<n> (PostgreSQL dead_letters) or js:<seq> (TY_DEAD_LETTERS)' }),
  consumer: Type.String(),
  stream: Type.String(),
  seq: Type.Integer(),
  subject: Type.String(),
  code: Type.String({ description: 'SQLSTATE, Node system code or error class' }),
  message: Type.String(),
  attempts: Type.Integer(),
  firstFailedAt: time(),
  quarantinedAt: time(),
  state: stringEnum(['quarantined', 'retried', 'dismissed'] as const),
  resolvedAt: nullable(time()),
  payloadBytes: Type.Integer(),
  retryable: Type.Boolean(),
});
export type DeadLetterView = Static<typeof DeadLetterViewSchema>;
export const DeadLetterListSchema = page(DeadLetterViewSchema);

export const VerifyResultSchema = Type.Object({
  equal: Type.Boolean(),
  differences: Type.Array(Type.Unknown()),
  seq: Type.Optional(Type.Integer()),
  quarantined: Type.Optional(Type.Array(Type.Integer(), { description: 'Commits the live projection quarantined (a rebuild skips them too)' })),
  degraded: Type.Optional(Type.Boolean({ description: 'Dead letters are open: the read models lack messages even when a rebuild equals them' })),
  quarantine: Type.Optional(Type.Object({ count: Type.Integer(), latest: nullable(DeadLetterViewSchema) })),
});
export type VerifyResult = Static<typeof VerifyResultSchema>;

export const FieldErrorSchema = Type.Object({
  path: Type.String({ description: 'Dotted path into the document, e.g. spec.priority' }),
  code: stringEnum(Object.values(FieldCode) as FieldCode[]),
  message: Type.String(),
  rule: Type.Optional(Type.String({ description: 'The guide rule it enforces (ch04-06 §13), e.g. V1' })),
});
export const ErrorResponseSchema = Type.Object({
  error: Type.Object({
    code: stringEnum(Object.values(ErrorCode) as ErrorCode[]),
    message: Type.String(),
    details: Type.Optional(Type.Array(FieldErrorSchema, { maxItems: 101 })),
  }),
}, { description: 'Every /v1 error response' });
export type ErrorResponse = Static<typeof ErrorResponseSchema>;

export const MetricSeriesSchema = Type.Object({
  metric: Type.String(),
  unit: Type.String(),
  task: Type.String(),
  nodeId: Type.String(),
  points: Type.Unsafe<Array<[string, number]>>(Type.Array(Type.Array(Type.Union([Type.String(), Type.Number()]), { minItems: 2, maxItems: 2 }), { description: '[start of the step, average over it], oldest first' })),
});
export type MetricSeries = Static<typeof MetricSeriesSchema>;

/** `GET /v1/training-jobs/{id}/metrics`: the job's series over a window. */
export const MetricSeriesPageSchema = Type.Object({
  jobId: Type.String(),
  from: time(),
  to: time(),
  stepSeconds: Type.Integer({ description: 'Width of one point' }),
  series: Type.Array(MetricSeriesSchema),
});
export type MetricSeriesPage = Static<typeof MetricSeriesPageSchema>;

/** `POST /v1/admin/quarantine/{id}/dismiss` and what retry and dismiss answer. */
export const DeadLetterDismissSchema = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) });
export const DeadLetterRetrySchema = Type.Object({
  id: Type.String(),
  outcome: stringEnum(['applied', 'still-failing'] as const),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});
export type DeadLetterRetry = Static<typeof DeadLetterRetrySchema>;
export const DeadLetterDismissedSchema = Type.Object({ id: Type.String(), state: Type.Literal('dismissed') });
export type DeadLetterDismissed = Static<typeof DeadLetterDismissedSchema>;

export const DashboardFiguresViewSchema = Type.Object({
  from: time(),
  to: time(),
  jobs: Type.Object({ total: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer(), recoveryEnabled: Type.Integer() }),
  successRate: nullable(Type.Number()),
  failureRate: nullable(Type.Number()),
  recoveryEnabledRate: nullable(Type.Number()),
  recoverySuccessRate: nullable(Type.Number()),
  recoveries: Type.Object({ succeeded: Type.Integer(), failed: Type.Integer(), inProgress: Type.Integer() }),
  recoveryTimeSeconds: nullable(Type.Object({ mean: Type.Number(), p50: Type.Number(), max: Type.Number() })),
}, { description: "The guide's figures over the jobs created in a window (ch14 §7.1)" });
export type DashboardFiguresView = Static<typeof DashboardFiguresViewSchema>;

export const DashboardOverviewSchema = Type.Object({
  total: Type.Integer(),
  byState: Type.Record(Type.String(), Type.Integer()),
  requestedCards: Type.Object({ gpu: Type.Number(), npu: Type.Number() }),
});
export type DashboardOverview = Static<typeof DashboardOverviewSchema>;

export const TrendPointSchema = Type.Object({
  from: time(),
  to: time(),
  jobs: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  successRate: nullable(Type.Number()),
  failureRate: nullable(Type.Number()),
  recoveryEnabledRate: nullable(Type.Number()),
  recoverySuccessRate: nullable(Type.Number()),
  recoveryTimeSeconds: nullable(Type.Number()),
});
export type TrendPoint = Static<typeof TrendPointSchema>;

export const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  time: time(),
  actor: Type.String(),
  target: Type.Object({ kind: stringEnum(['job', 'node'] as const), id: Type.String() }),
  types: Type.Array(Type.String()),
  message: Type.String(),
  tokenId: Type.Optional(Type.String({ description: 'The API token the command came with (issue 11)' })),
  source: Type.Optional(Type.String({ description: "The caller's address as the API saw it" })),
  userAgent: Type.Optional(Type.String()),
  project: Type.Optional(Type.String({ description: "The job's project, for job targets" })),
}, { description: 'A command a principal had committed' });
export type AuditEntry = Static<typeof AuditEntrySchema>;

export const AuthConfigSchema = Type.Object({
  token: Type.Boolean(),
  oidc: nullable(Type.Object({ issuer: Type.String(), clientId: Type.String(), scope: Type.String() })),
}, { description: 'How one signs in' });
export type AuthConfig = Static<typeof AuthConfigSchema>;

/** `POST /v1/training-jobs/{id}/priority`. */
export const PriorityChangeSchema = Type.Object({ priority: Type.Integer({ minimum: 1, maximum: 3 }) }, { additionalProperties: false });

/** `POST /v1/training-jobs/{id}/tasks/{task}/exec` (issue 15): checked by `validateExecBody`. */
export const ExecBodySchema = Type.Object(
  {
    command: Type.Array(Type.String({ maxLength: 4096 }), { minItems: 1, maxItems: 64, description: 'the program and its arguments (no shell)' }),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600, default: 30 })),
  },
  { additionalProperties: false },
);

/** Its answer: where it ran, the exit and the output (each stream at most 1 MiB). */
export const ExecResultViewSchema = Type.Object({
  jobId: Type.String(),
  task: Type.String(),
  attempt: Type.Integer(),
  nodeId: Type.String(),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  signal: Type.Union([Type.String(), Type.Null()]),
  stdout: Type.String(),
  stderr: Type.String(),
  truncated: Type.Boolean(),
  timedOut: Type.Boolean(),
});

export type ExecResultView = Static<typeof ExecResultViewSchema>;

/** `POST /v1/nodes/{id}/{verb}`. */
export const NodeActionSchema = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })), graceMs: Type.Optional(Type.Integer({ minimum: 0 })) });

/** `PATCH /v1/training-jobs/{id}`: what may change after creation (issue 18). */
export const JobUpdateSchema = Type.Object({
  description: Type.Optional(Type.String({ maxLength: 256, description: 'V2' })),
  tags: Type.Optional(Type.Array(Type.Object({ key: Type.String(), value: Type.String() }, { additionalProperties: false }), { maxItems: 20, description: 'V22: replaces every tag' })),
  experiment: Type.Optional(nullable(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Join an experiment, or leave it (null)' }))),
}, { additionalProperties: false, minProperties: 1 });
export type JobUpdate = Static<typeof JobUpdateSchema>;

/** A flavor of a pool's catalogue (`/v1/flavors`): what operators name so specs can say `flavorId`. */
export const CatalogueFlavorSchema = Type.Object({
  id: Type.String({ pattern: FLAVOR_ID_PATTERN, description: 'e.g. cpu.2u4g, gpu.a100.1' }),
  pool: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'The pool whose nodes run it' }),
  name: Type.Optional(Type.String({ maxLength: 128, description: 'For people; default the id' })),
  flavor: FlavorSchema,
  maxNodeCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096, description: 'Most instances a job of this flavor may ask for' })),
}, { additionalProperties: false });
export type CatalogueFlavor = Static<typeof CatalogueFlavorSchema>;
export const CatalogueFlavorListSchema = Type.Object({ items: Type.Array(CatalogueFlavorSchema) });

/** `GET /v1/experiments`: every experiment a readable job belongs to, newest first. */
export const ExperimentListSchema = Type.Object({
  items: Type.Array(Type.Object({
    experiment: Type.String(),
    jobs: Type.Integer({ description: 'Jobs of the experiment the caller may read (deleted ones not counted)' }),
    lastCreatedAt: time('When its newest job was created'),
  })),
}, { description: 'An experiment exists while a job names it in metadata.experiment' });
export type ExperimentList = Static<typeof ExperimentListSchema>;

/** One experiment side by side: each job's parameters and its final metrics. */
export const ExperimentComparisonSchema = Type.Object({
  experiment: Type.String(),
  parameters: Type.Array(Type.String(), { description: 'Every parameter name any job sets, sorted' }),
  metrics: Type.Array(Type.String(), { description: 'Every final metric any job reported, sorted' }),
  jobs: Type.Array(Type.Object({
    id: Type.String(),
    name: Type.String(),
    state: Type.String(),
    parameters: Type.Record(Type.String(), Type.String()),
    metrics: Type.Record(Type.String(), Type.Number(), { description: 'The last value of each `name=number` the job printed on its rank-0 log' }),
  })),
});
export type ExperimentComparison = Static<typeof ExperimentComparisonSchema>;
