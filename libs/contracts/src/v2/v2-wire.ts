import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ErrorCode } from '../errors';
import { FLAVOR_ID_PATTERN, stringEnum } from '../job-spec';
import { ALGORITHM_LIMITS, ANNOTATION_LIMITS, JOB_SPEC_LIMITS } from '../spec-limits';
import { PATH_LIMITS } from '../validate-fields';
import { rule } from '../wire-check';

/*
 * The vendor's v2 training-job API as this project serves it (`/v2/{project_id}/…`): the reference's
 * field names (snake_case), paging and filters, so a gateway written against it ports unchanged.
 * Shapes follow the public API reference ("ModelArts API Reference > Training Management":
 * CreateTrainingJob, ListTrainingJobs, ShowTrainingJobDetails, ChangeTrainingJobDescription,
 * StopTrainingJob, DeleteTrainingJob, ShowTrainingJobLogsPreview, ShowObsUrlOfTrainingJobLogs,
 * ShowTrainingJobFlavors, ShowTrainingJobEngines). Fields the reference has and a self-hosted
 * cluster cannot honour (OBS, algorithm ids, subscriptions, workspaces other than 0) are refused by
 * name instead of ignored. The few fields that are ours are marked "ours" and documented in
 * docs/architecture.md ("The v2 API").
 *
 * Request objects are open where the reference lets clients send back what they read (the response
 * carries `status`, `metadata.id`…): those read-only fields are accepted and ignored on create.
 */

const closed = <P extends Record<string, TSchema>>(p: P, description?: string) =>
  Type.Object(p, { additionalProperties: false, ...(description ? { description } : {}) });
const path = (description: string) => Type.String({ minLength: 1, maxLength: PATH_LIMITS.pathBytes, description });
/** A hyperparameter or channel name (L2961), under the rule of its list. */
const name64 = (id: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', ...rule(id) });

export const V2TagSchema = closed({
  key: Type.String({ minLength: 1, maxLength: JOB_SPEC_LIMITS.tagKeyLength, ...rule('V22') }),
  value: Type.String({ maxLength: JOB_SPEC_LIMITS.tagValueLength, ...rule('V22') }),
});

export const V2MetadataSchema = closed({
  id: Type.Optional(Type.String({ description: 'Read-only: chosen by the platform' })),
  name: Type.String({ minLength: 1, maxLength: JOB_SPEC_LIMITS.nameLength, pattern: '^[A-Za-z0-9_-]+$', description: 'V1: 1–64 of letters, digits, - and _', ...rule('V1') }),
  workspace_id: Type.Optional(Type.Literal('0', { description: 'Only the default workspace 0' })),
  description: Type.Optional(Type.String({ maxLength: JOB_SPEC_LIMITS.descriptionLength, description: 'V2', ...rule('V2') })),
  create_time: Type.Optional(Type.Integer({ description: 'Read-only: milliseconds since the epoch' })),
  user_name: Type.Optional(Type.String({ description: 'Read-only' })),
  annotations: Type.Optional(Type.Record(Type.String(), Type.String(), { maxProperties: ANNOTATION_LIMITS.annotations, description: 'Fault tolerance keys (V18) as in the guide' })),
  tags: Type.Optional(Type.Array(V2TagSchema, { maxItems: JOB_SPEC_LIMITS.tags, description: 'V22', ...rule('V22') })),
  experiment: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Ours: the experiment the job joins' })),
});

export const V2EngineSchema = closed({
  engine_id: Type.Optional(Type.String({ description: 'An id of GET training-job-engines, e.g. pytorch-2.3' })),
  engine_name: Type.Optional(Type.String({ minLength: 1, maxLength: ALGORITHM_LIMITS.engineFieldLength })),
  engine_version: Type.Optional(Type.String({ minLength: 1, maxLength: ALGORITHM_LIMITS.engineFieldLength })),
  image_url: Type.Optional(Type.String({ minLength: 1, maxLength: ALGORITHM_LIMITS.imageBytes, description: 'Custom image (the container runtime)' })),
});

export const V2ParameterSchema = closed({
  name: name64('V12'),
  value: Type.String({ maxLength: ALGORITHM_LIMITS.parameterValueBytes }),
  description: Type.Optional(Type.String({ maxLength: 256 })),
});

const V2RemoteSchema = closed({
  obs: Type.Optional(closed({ obs_url: path('A path on the cluster (this system has no OBS: a local or shared path)') })),
});
export const v2Channel = (id: string) => closed({
  name: name64(id),
  description: Type.Optional(Type.String({ maxLength: 256 })),
  local_dir: Type.Optional(path('Read-only: where the channel appears in the task')),
  access_method: Type.Optional(stringEnum(['parameter', 'env'] as const)),
  remote: V2RemoteSchema,
});
export const V2ChannelSchema = v2Channel('V10');

export const V2AlgorithmSchema = closed({
  code_dir: Type.Optional(path('The code directory; reachable at ${MA_JOB_DIR}/<last segment>')),
  boot_file: Type.Optional(Type.String({ minLength: 1, maxLength: PATH_LIMITS.pathBytes, description: 'A .py file inside code_dir (V4)', ...rule('V4') })),
  command: Type.Optional(Type.String({ minLength: 1, maxLength: ALGORITHM_LIMITS.commandBytes, description: 'Custom boot command (V5)', ...rule('V5') })),
  engine: Type.Optional(V2EngineSchema),
  parameters: Type.Optional(Type.Array(V2ParameterSchema, { maxItems: ALGORITHM_LIMITS.parameters, description: 'V12', ...rule('V12') })),
  inputs: Type.Optional(Type.Array(V2ChannelSchema, { maxItems: ALGORITHM_LIMITS.channels, description: 'V10', ...rule('V10') })),
  outputs: Type.Optional(Type.Array(v2Channel('V11'), { maxItems: ALGORITHM_LIMITS.channels, description: 'V11', ...rule('V11') })),
  environments: Type.Optional(Type.Record(Type.String(), Type.String(), { maxProperties: ALGORITHM_LIMITS.environments, description: 'V12', ...rule('V12') })),
  local_code_dir: Type.Optional(path('Read-only here: the code is always at ${MA_JOB_DIR}/<last segment of code_dir>')),
  working_dir: Type.Optional(Type.String({ minLength: 1, maxLength: PATH_LIMITS.pathBytes, description: 'V8', ...rule('V8') })),
  launch_method: Type.Optional(stringEnum(['custom', 'torchrun', 'msrun', 'ranktable', 'pytorch-gpu', 'tensorflow-ps', 'mpi'] as const, 'Ours: the launcher')),
  processes_per_node: Type.Optional(Type.Integer({ minimum: 1, maximum: ALGORITHM_LIMITS.processesPerNode, description: 'Ours' })),
  user_id: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'Ours: V6', ...rule('V6') })),
});

export const V2ResourceSchema = closed({
  policy: Type.Optional(Type.Literal('regular', { description: 'Only regular' })),
  flavor_id: Type.String({ pattern: FLAVOR_ID_PATTERN, description: "A flavor of the pool's catalogue (GET training-job-flavors)" }),
  flavor_name: Type.Optional(Type.String({ description: 'Read-only' })),
  node_count: Type.Optional(Type.Integer({ minimum: 1, maximum: JOB_SPEC_LIMITS.maxNodeCount, description: 'V14, default 1', ...rule('V14') })),
  pool_id: Type.Optional(Type.String({ minLength: 1, maxLength: JOB_SPEC_LIMITS.poolLength, description: 'Default `default`' })),
  flavor_detail: Type.Optional(Type.Unknown({ description: 'Read-only' })),
});

export const V2SchedulePolicySchema = closed({
  priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 3, description: 'V15: 3 needs job:setHighPriority', ...rule('V15') })),
  preemptible: Type.Optional(Type.Boolean({ description: 'Ours: V16', ...rule('V16') })),
  required_affinity: Type.Optional(closed({
    affinity_type: Type.Optional(Type.Literal('hyperinstance', { description: 'Supernode affinity' })),
    affinity_group_size: Type.Integer({ minimum: 1, description: 'V14', ...rule('V14') }),
  })),
});

export const V2SpecSchema = closed({
  resource: V2ResourceSchema,
  schedule_policy: Type.Optional(V2SchedulePolicySchema),
  max_run_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: JOB_SPEC_LIMITS.maxRunHours, description: 'Ours: auto stop (V17)', ...rule('V17') })),
  runtime: Type.Optional(stringEnum(['process', 'container'] as const, 'Ours')),
});

export const V2CreateTrainingJobSchema = closed({
  kind: Type.Literal('job'),
  metadata: V2MetadataSchema,
  algorithm: V2AlgorithmSchema,
  spec: V2SpecSchema,
  status: Type.Optional(Type.Unknown({ description: 'Read-only' })),
}, 'POST /v2/{project_id}/training-jobs');
export type V2CreateTrainingJob = Static<typeof V2CreateTrainingJobSchema>;

/** The reference's level-1 states (phase). */
export const V2_PHASES = ['Creating', 'Pending', 'Running', 'Failed', 'Completed', 'Terminating', 'Terminated', 'Abnormal'] as const;
export type V2Phase = (typeof V2_PHASES)[number];

export const V2StatusSchema = Type.Object({
  phase: stringEnum(V2_PHASES),
  secondary_phase: Type.String({ description: 'Level-2 state: Creating, Queuing, Scheduled, Running, Completed, Failed, Terminating, Terminated, Abnormal, Deleting' }),
  duration: Type.Integer({ description: 'Milliseconds the job has run (start to end, or to now)' }),
  start_time: Type.Optional(Type.Integer({ description: 'Milliseconds since the epoch' })),
  tasks: Type.Array(Type.String(), { description: 'Task names, e.g. worker-0: the task_id of the log endpoints' }),
  task_statuses: Type.Array(Type.Object({ task: Type.String(), exit_code: Type.Union([Type.Integer(), Type.Null()]), message: Type.String() })),
  node_count_metrics: Type.Null(),
  reason: Type.Optional(Type.String({ description: 'Ours: why the job is where it is (the failure, the pending reason)' })),
});

export const V2TrainingJobSchema = Type.Object({
  kind: Type.Literal('job'),
  metadata: Type.Object({
    id: Type.String(),
    name: Type.String(),
    workspace_id: Type.String(),
    description: Type.String(),
    create_time: Type.Integer(),
    user_name: Type.String(),
    annotations: Type.Record(Type.String(), Type.String()),
    tags: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })),
    experiment: Type.Optional(Type.String()),
  }),
  status: V2StatusSchema,
  algorithm: Type.Record(Type.String(), Type.Unknown(), { description: 'As submitted (V2Algorithm)' }),
  spec: Type.Object({
    resource: Type.Object({
      policy: Type.String(),
      flavor_id: Type.String(),
      flavor_name: Type.String(),
      node_count: Type.Integer(),
      pool_id: Type.String(),
      flavor_detail: Type.Unknown(),
    }),
    schedule_policy: Type.Object({ priority: Type.Integer(), preemptible: Type.Boolean() }),
    max_run_hours: Type.Optional(Type.Integer()),
    runtime: Type.String(),
  }),
}, { description: 'A training job in the v2 shape' });
export type V2TrainingJob = Static<typeof V2TrainingJobSchema>;

export const V2_SORT_KEYS = ['create_time', 'name', 'phase'] as const;
export const V2_FILTER_KEYS = ['name', 'phase', 'tag', 'experiment'] as const;
export const V2JobSearchSchema = closed({
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'Default 10' })),
  sort_by: Type.Optional(stringEnum(V2_SORT_KEYS, 'Default create_time')),
  order: Type.Optional(stringEnum(['asc', 'desc'] as const, 'Default desc')),
  group_by: Type.Optional(Type.String({ maxLength: 64, description: 'Accepted and echoed; no grouping' })),
  filters: Type.Optional(Type.Array(closed({
    key: stringEnum(V2_FILTER_KEYS, 'name: part of the name (like); phase: one of the phases (in); tag: key:value (in); experiment (in)'),
    operator: Type.Optional(stringEnum(['like', 'in'] as const, 'Default: like for name, in otherwise')),
    value: Type.Array(Type.String({ maxLength: 256 }), { minItems: 1, maxItems: 20 }),
  }), { maxItems: 10 })),
}, 'POST /v2/{project_id}/training-job-searches');
export type V2JobSearch = Static<typeof V2JobSearchSchema>;

export const V2JobListSchema = Type.Object({
  total: Type.Integer({ description: 'Jobs of the project' }),
  count: Type.Integer({ description: 'Jobs that match' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
  sort_by: Type.String(),
  order: Type.String(),
  group_by: Type.String(),
  items: Type.Array(V2TrainingJobSchema),
});
export type V2JobList = Static<typeof V2JobListSchema>;

export const V2UpdateSchema = closed({
  description: Type.String({ maxLength: JOB_SPEC_LIMITS.descriptionLength, description: 'V2', ...rule('V2') }),
}, 'PUT /v2/{project_id}/training-jobs/{training_job_id}: the reference changes only the description');

export const V2ActionSchema = closed({ action_type: Type.Literal('terminate') }, 'POST …/actions');
export const V2ActionResultSchema = Type.Object({
  kind: Type.Literal('job'),
  metadata: Type.Object({ id: Type.String(), name: Type.String() }),
  status: Type.Object({ phase: stringEnum(V2_PHASES), secondary_phase: Type.String(), duration: Type.Integer() }),
});

export const V2LogPreviewSchema = Type.Object({
  content: Type.String({ description: 'The last lines of the task log, at most 500 KiB' }),
  current_size: Type.Integer({ description: 'Bytes in content' }),
  full_size: Type.Integer({ description: 'Bytes of the whole log' }),
});
export const V2LogUrlSchema = Type.Object({ obs_url: Type.String({ description: 'A URL of this API that downloads the task log (there is no OBS here)' }) });

export const V2FlavorSchema = Type.Object({
  flavor_id: Type.String(),
  flavor_name: Type.String(),
  max_num: Type.Integer(),
  flavor_type: stringEnum(['CPU', 'GPU', 'Ascend'] as const),
  billing: Type.Object({ code: Type.String(), unit_num: Type.Integer() }),
  flavor_info: Type.Object({
    max_num: Type.Integer(),
    cpu: Type.Object({ arch: Type.String(), core_num: Type.Number() }),
    gpu: Type.Optional(Type.Object({ unit_num: Type.Integer(), product_name: Type.String(), memory: Type.String() })),
    npu: Type.Optional(Type.Object({ unit_num: Type.Integer(), product_name: Type.String(), memory: Type.String() })),
    memory: Type.Object({ size: Type.Number(), unit: Type.Literal('GB') }),
  }),
  attributes: Type.Record(Type.String(), Type.String(), { description: 'pool: the pool the flavor belongs to (ours)' }),
});
export const V2FlavorListSchema = Type.Object({ total_count: Type.Integer(), flavors: Type.Array(V2FlavorSchema) });

export const V2EngineItemSchema = Type.Object({
  engine_id: Type.String(),
  engine_name: Type.String(),
  engine_version: Type.String(),
  v1_compatible: Type.Boolean(),
  run_user: Type.String(),
  image_info: Type.Object({ cpu_image_url: Type.String(), gpu_image_url: Type.String(), image_version: Type.String() }),
});
export const V2EngineListSchema = Type.Object({ total: Type.Integer(), items: Type.Array(V2EngineItemSchema) });

/** The reference's error body: `error_code` is stable (`TY.<ErrorCode>`), `error_msg` for people. */
export const V2ErrorSchema = Type.Object({
  error_code: Type.String({ description: `TY.<code>, one of ${Object.values(ErrorCode).map((c) => `TY.${c}`).join(', ')}` }),
  error_msg: Type.String(),
  error_details: Type.Optional(Type.Array(Type.Object({
    path: Type.String({ description: 'The v2 field, e.g. spec.resource.node_count' }),
    code: Type.String(),
    message: Type.String(),
    rule: Type.Optional(Type.String({ description: 'The guide rule, e.g. V14' })),
  }), { description: 'Ours: every offending field' })),
});
export type V2Error = Static<typeof V2ErrorSchema>;
export const v2ErrorCode = (code: ErrorCode): string => `TY.${code}`;
