import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { ALGORITHM_LIMITS, ANNOTATION_LIMITS, JOB_SPEC_LIMITS, NODE_AFFINITY_LIMITS } from './spec-limits';
import { PATH_LIMITS } from './validate-fields';

/*
 * The training-job resource of the native API (`/v1/training-jobs`), shaped like the vendor's v2
 * training-job API (`kind`, `metadata`, `algorithm`, `spec`) with this project's camelCase names.
 * This file is the wire schema (TypeBox, i.e. JSON Schema): the TypeScript types are `Static<…>` of
 * it, the OpenAPI document embeds it, and the CLI and console read the same types. The guide's
 * semantic rules (V1–V25, ch04-06 §13) stay hand-written in `validate-job-spec.ts`, on top.
 *
 * @example
 * ```yaml
 * kind: job
 * metadata: { name: hello, annotations: { fault-tolerance/job-retry-num: "3" } }
 * algorithm:
 *   command: python3 ${MA_JOB_DIR}/hello/train.py
 *   codeDir: /srv/code/hello
 *   parameters: [{ name: epochs, value: "2" }]
 * spec:
 *   resource: { pool: default, flavor: { cpu: 1, memoryMiB: 256 }, nodeCount: 2 }
 * ```
 */

/**
 * Flavor ids (ours): dot-separated tokens of letters, digits, `-` and `_`, ≤ 64 characters, e.g.
 * `cpu.2u4g` — they name catalogue entries in a NATS KV bucket (subject tokens) and URL segments.
 */
export const FLAVOR_ID_PATTERN = '^(?=.{1,64}$)[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$';

/** A closed object: unknown fields are refused (a typo never passes silently). */
export const closed = <P extends Record<string, TSchema>>(properties: P, options: { description?: string; title?: string } = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });
const path = (description: string) => Type.String({ minLength: 1, maxLength: PATH_LIMITS.pathBytes, description });
const stringMap = (maxProperties: number, description: string) =>
  Type.Record(Type.String(), Type.String(), { maxProperties, description });

export const TagSchema = closed({
  key: Type.String({ minLength: 1, maxLength: JOB_SPEC_LIMITS.tagKeyLength }),
  value: Type.String({ maxLength: JOB_SPEC_LIMITS.tagValueLength }),
});
export type Tag = Static<typeof TagSchema>;

export const JobMetadataSchema = closed({
  name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'V1. Not unique: the job id is.' }),
  description: Type.Optional(Type.String({ maxLength: JOB_SPEC_LIMITS.descriptionLength, description: 'V2: letters, Chinese, digits, space, -, _, comma, period' })),
  annotations: Type.Optional(stringMap(ANNOTATION_LIMITS.annotations, 'Free-form; the fault-tolerance/* keys are known (V18, ch12-13)')),
  tags: Type.Optional(Type.Array(TagSchema, { maxItems: JOB_SPEC_LIMITS.tags, description: 'V22: ≤ 20 tags, unique keys' })),
  experiment: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'The experiment the job belongs to (issue 18): its jobs are compared side by side' })),
  project: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: "The project the job belongs to (the vendor's workspace; issue 11): who may read and act on it follows from the roles held there. Default `default`" })),
});
export type JobMetadata = Static<typeof JobMetadataSchema>;

/**
 * How the platform turns the boot file into processes (ch01-03 §2-6, the node agent's `launchers/`):
 * - `custom`: runs `command` as is; with a preset framework (`engine` + `bootFile`) the platform's
 *   default for the engine (Ascend-Powered-Engine: rank table or `MA_RUN_METHOD`; PyTorch: pytorch-gpu;
 *   TensorFlow: tensorflow-ps; Horovod/MPI/MindSpore-GPU: mpi; otherwise the boot file once).
 * - `torchrun`, `msrun`, `ranktable`, `pytorch-gpu`, `tensorflow-ps`, `mpi`: the guide's launchers.
 *   They run a boot file, so they need the preset-framework fields (`engine`, `bootFile`, `codeDir`).
 */
export const LAUNCH_METHODS = ['custom', 'torchrun', 'msrun', 'ranktable', 'pytorch-gpu', 'tensorflow-ps', 'mpi'] as const;
export type LaunchMethod = (typeof LAUNCH_METHODS)[number];
export const ACCESS_METHODS = ['parameter', 'env'] as const;
/** How a training script receives an input or output location (L1577–1592). */
export type AccessMethod = (typeof ACCESS_METHODS)[number];

/**
 * A string enum: a union of `const`s, which JSON Schema, the OpenAPI document and TypeBox's own checker
 * (`Value`, used for the v2 surface's structure) all read.
 */
export const stringEnum = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {}) as unknown as TUnion<TLiteral<T[number]>[]>;

export const ParameterSchema = closed({
  name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'L2961' }),
  value: Type.String({ maxLength: ALGORITHM_LIMITS.parameterValueBytes }),
});
export type Parameter = Static<typeof ParameterSchema>;

export const DataChannelSchema = closed({
  name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  path: path(
    'Source (inputs) or destination (outputs): a local or shared path, or an object-store location s3://<bucket>/<prefix> (obs:// alike). ' +
      'An object-store input is downloaded before the start to ${MA_MOUNT_PATH}/inputs/<name>_<index>; an output is synced from ' +
      '${MA_MOUNT_PATH}/outputs/<name>_<index> during the run and at its end; the script is given those local paths',
  ),
  accessMethod: Type.Optional(stringEnum(ACCESS_METHODS, 'Default `parameter`: passed as `--name=<container path>`')),
  preDownload: Type.Optional(Type.Boolean({
    description: 'Outputs in an object store only (V11, L1595-1654): download what the location already holds before the start, so a job resumes from its checkpoint. Default false',
  })),
});
export type DataChannel = Static<typeof DataChannelSchema>;

export const AlgorithmSchema = closed({
  command: Type.Optional(Type.String({ minLength: 1, maxLength: ALGORITHM_LIMITS.commandBytes, description: 'Boot command run through a shell (custom boot mode, V5)' })),
  engine: Type.Optional(closed({
    name: Type.String({ minLength: 1, maxLength: ALGORITHM_LIMITS.engineFieldLength }),
    version: Type.String({ minLength: 1, maxLength: ALGORITHM_LIMITS.engineFieldLength }),
  }, { description: 'Preset-framework boot mode (V4), with bootFile' })),
  bootFile: Type.Optional(path('A .py file inside codeDir (V4)')),
  codeDir: Type.Optional(path('Where the code comes from; reachable at ${MA_JOB_DIR}/<last path segment>')),
  image: Type.Optional(Type.String({ minLength: 1, maxLength: ALGORITHM_LIMITS.imageBytes, description: 'Container image (required by the container runtime)' })),
  launchMethod: Type.Optional(stringEnum(LAUNCH_METHODS, 'Default custom')),
  processesPerNode: Type.Optional(Type.Integer({
    minimum: 1, maximum: ALGORITHM_LIMITS.processesPerNode,
    description: "Processes a launcher starts per instance (torchrun --nproc_per_node, …); default the flavor's gpu or npu count, or 1",
  })),
  userId: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'Run user id (V6)' })),
  workingDir: Type.Optional(path("Absolute; an ancestor of the boot file's directory (V8)")),
  parameters: Type.Optional(Type.Array(ParameterSchema, { maxItems: ALGORITHM_LIMITS.parameters, description: 'Hyperparameters (V12), appended as --name=value' })),
  inputs: Type.Optional(Type.Array(DataChannelSchema, { maxItems: ALGORITHM_LIMITS.channels, description: 'V10' })),
  outputs: Type.Optional(Type.Array(DataChannelSchema, { maxItems: ALGORITHM_LIMITS.channels, description: 'V11' })),
  environments: Type.Optional(stringMap(ALGORITHM_LIMITS.environments, 'V12: names are shell identifiers; MA_* only the user-settable knobs')),
});
export type Algorithm = Static<typeof AlgorithmSchema>;

export const FlavorSchema = closed({
  cpu: Type.Number({ exclusiveMinimum: 0, description: 'vCPUs per instance (may be fractional, e.g. 0.5)' }),
  memoryMiB: Type.Integer({ minimum: 1 }),
  gpu: Type.Optional(Type.Integer({ minimum: 0 })),
  npu: Type.Optional(Type.Integer({ minimum: 0 })),
  acceleratorType: Type.Optional(Type.String({ minLength: 1, maxLength: JOB_SPEC_LIMITS.acceleratorTypeLength, description: "Accelerator model, e.g. nvidia-a100; must match the node's" })),
}, { description: 'What one instance needs' });
export type Flavor = Static<typeof FlavorSchema>;

export const NODE_AFFINITY_TYPES = ['affinity', 'anti-affinity'] as const;
export const NODE_AFFINITY_STRENGTHS = ['required', 'preferred'] as const;

/**
 * One node-affinity rule: the guide's two console fields, 亲和类型 (type) × 强度 (strength), giving
 * its four policies:
 *
 * | type            | strength    | guide policy            | planner                          |
 * |-----------------|-------------|-------------------------|----------------------------------|
 * | `affinity`      | `required`  | 严格部署（强亲和）      | only matching nodes (filter)     |
 * | `affinity`      | `preferred` | 尽量部署（弱亲和）      | matching nodes first (score +1)  |
 * | `anti-affinity` | `required`  | 禁止部署（强反亲和）    | never a matching node (filter)   |
 * | `anti-affinity` | `preferred` | 避免部署（弱反亲和）    | matching nodes last (score −1)   |
 *
 * A node matches when, for every key of `labels`, its label has that value (or one of the listed
 * values). The implicit label `trainyard.io/node-id` names nodes ("选择节点").
 */
export const NodeAffinityRuleSchema = closed({
  type: stringEnum(NODE_AFFINITY_TYPES),
  strength: stringEnum(NODE_AFFINITY_STRENGTHS),
  labels: Type.Record(
    Type.String({ maxLength: NODE_AFFINITY_LIMITS.keyLength }),
    Type.Union([
      Type.String({ maxLength: NODE_AFFINITY_LIMITS.valueLength }),
      Type.Array(Type.String({ maxLength: NODE_AFFINITY_LIMITS.valueLength }), { minItems: 1, maxItems: NODE_AFFINITY_LIMITS.valuesPerLabel }),
    ]),
    { minProperties: 1, maxProperties: NODE_AFFINITY_LIMITS.labelsPerRule, description: 'A value list means any of' },
  ),
});
export type NodeAffinityRule = Static<typeof NodeAffinityRuleSchema>;

/** The guide's default trust-file dir, "SSH免密互信文件目录" (ch04-06, L2143). */
export const DEFAULT_SSH_TRUST_DIR = '/home/ma-user/.ssh';

/**
 * "生成实例间SSH免密互信文件" (V21, ch01-03 §12, L1121-1157, L2129-2144): the platform gives every
 * instance one key pair of the job, `authorized_keys`, `known_hosts` and a `config` in `dir`, starts an
 * sshd per instance and makes the instances' names resolve, so mpirun over ssh needs no set-up.
 */
export const SshTrustSchema = closed({
  enabled: Type.Boolean({ description: 'Default off (L2129)' }),
  dir: Type.Optional(Type.String({
    minLength: 1, maxLength: PATH_LIMITS.pathBytes,
    description: 'Where the trust files go, under /home/ma-user (default /home/ma-user/.ssh, L2143); the process runtime rebases it onto the task home',
  })),
}, { description: 'SSH trust between the instances of the job (V21)' });
export type SshTrust = Static<typeof SshTrustSchema>;

export const JobResourceSpecSchema = closed({
  resource: closed({
    pool: Type.Optional(Type.String({ minLength: 1, maxLength: JOB_SPEC_LIMITS.poolLength, description: 'Default `default`' })),
    flavor: FlavorSchema,
    flavorId: Type.Optional(Type.String({
      pattern: FLAVOR_ID_PATTERN,
      description: "A flavor of the pool's catalogue; the API resolves it into `flavor` at submit and keeps the id",
    })),
    nodeCount: Type.Optional(Type.Integer({ minimum: 1, maximum: JOB_SPEC_LIMITS.maxNodeCount, description: 'Instances (实例数), default 1 (V14)' })),
    affinityGroupSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Supernode affinity group: every n instances share a supernode (V14)' })),
  }),
  priority: Type.Optional(Type.Integer({ minimum: JOB_SPEC_LIMITS.minPriority, maximum: JOB_SPEC_LIMITS.maxPriority, description: '1–3, default 1; 3 needs job:setHighPriority (V15)' })),
  preemptible: Type.Optional(Type.Boolean({ description: 'Default false (V16)' })),
  maxRunHours: Type.Optional(Type.Integer({ minimum: 1, maximum: JOB_SPEC_LIMITS.maxRunHours, description: 'Auto stop after this many running hours (V17)' })),
  runtime: Type.Optional(stringEnum(['process', 'container'] as const, 'Default process')),
  nodeAffinity: Type.Optional(Type.Array(NodeAffinityRuleSchema, { maxItems: NODE_AFFINITY_LIMITS.rules, description: '亲和调度策略 (ch04-06 §8.4)' })),
  sshTrust: Type.Optional(SshTrustSchema),
});
export type JobResourceSpec = Static<typeof JobResourceSpecSchema>;

export const TrainingJobSpecSchema = closed({
  kind: Type.Literal('job', { description: 'Only job; the vendor API also knows edge_job etc.' }),
  metadata: JobMetadataSchema,
  algorithm: AlgorithmSchema,
  spec: JobResourceSpecSchema,
}, { title: 'TrainingJobSpec' });
export type TrainingJobSpec = Static<typeof TrainingJobSpecSchema>;

/** Resolved defaults, applied once at submit so later readers never guess. */
export function withDefaults(spec: TrainingJobSpec): TrainingJobSpec {
  return {
    ...spec,
    algorithm: { launchMethod: 'custom', ...spec.algorithm },
    spec: {
      ...spec.spec,
      resource: { pool: 'default', nodeCount: 1, ...spec.spec.resource },
      priority: spec.spec.priority ?? 1,
      preemptible: spec.spec.preemptible ?? false,
      runtime: spec.spec.runtime ?? 'process',
    },
  };
}

export const taskName = (index: number) => `worker-${index}`;
