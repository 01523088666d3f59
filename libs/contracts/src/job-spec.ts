/**
 * The training-job resource, shaped like the vendor's v2 training-job API (`kind`, `metadata`,
 * `algorithm`, `spec`) so an API gateway written for that platform ports with little change.
 * Field rules live in `validate-job-spec.ts`; the guide lines they come from are in
 * `../shared/seed/ch04-06-jobspec.md` §13.
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
export interface TrainingJobSpec {
  /** Only `job` is accepted today; the vendor API also knows `edge_job` etc. */
  kind: 'job';
  metadata: JobMetadata;
  algorithm: Algorithm;
  spec: JobResourceSpec;
}

export interface JobMetadata {
  /** `^[A-Za-z0-9_-]{1,64}$` (V1). Not unique: the job id is. */
  name: string;
  /** ≤ 256 chars of letters, Chinese, digits, space, `-`, `_`, comma, period (V2). */
  description?: string;
  /**
   * Free-form string annotations. Known keys (fault tolerance, ch12-13):
   * `fault-tolerance/job-retry-num` (1–128), `fault-tolerance/job-unconditional-retry`,
   * `fault-tolerance/hang-retry`, `fault-tolerance/pod-retry-num`.
   */
  annotations?: Record<string, string>;
  /** ≤ 20 tags (V22), unique keys. */
  tags?: Tag[];
}

export interface Tag {
  key: string;
  value: string;
}

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

export interface Algorithm {
  /** Boot command run through a shell after the code is in place (custom boot mode, V5). */
  command?: string;
  /** Preset-framework boot mode (V4): engine and a `.py` boot file inside `codeDir`. */
  engine?: { name: string; version: string };
  bootFile?: string;
  /** Where the code comes from; reachable at `${MA_JOB_DIR}/<last path segment>`. */
  codeDir?: string;
  /** Container image (required for the container runtime). */
  image?: string;
  /** Default `custom`. */
  launchMethod?: LaunchMethod;
  /**
   * Processes a launcher starts per instance: torchrun `--nproc_per_node`, msrun `--local_worker_num`,
   * rank-table copies of the boot file, MPI slots per host. The guide takes the instance's cards
   * (`MA_NUM_GPUS`, L401-402, L452-455); a CPU-only flavor has none, so this says how many.
   * Default: the flavor's `gpu` or `npu` count, or 1 when it has neither. 1–1024; ignored by `custom`
   * with a command, `pytorch-gpu` (one process per instance) and `tensorflow-ps` (one ps + one worker).
   */
  processesPerNode?: number;
  /** Run user id; 0–65535 (V6, dedicated pools). Default 1000 in containers. */
  userId?: number;
  /** Working directory; must be an ancestor of the boot file's directory (V8). */
  workingDir?: string;
  /** Hyperparameters, ≤ 100 (V12). Appended as `--name=value`. */
  parameters?: Parameter[];
  inputs?: DataChannel[];
  outputs?: DataChannel[];
  /**
   * ≤ 100 entries; names must not start with `MA_` (V12, L11962) except the platform knobs users may
   * set (`USER_SETTABLE_MA_VARIABLES`: `MA_RUN_METHOD`, `MA_EXTRA_TORCHRUN_PARAMS`…).
   */
  environments?: Record<string, string>;
}

export interface Parameter {
  /** ≤ 64 chars of `[A-Za-z0-9_-]` (L2961). */
  name: string;
  value: string;
}

/** How a training script receives an input or output location (L1577–1592). */
export type AccessMethod = 'parameter' | 'env';

export interface DataChannel {
  name: string;
  /** Source (inputs) or destination (outputs): a local or shared path in this self-hosted system. */
  path: string;
  /** Default `parameter`: passed as `--name=<container path>`. */
  accessMethod?: AccessMethod;
}

export interface Flavor {
  /** vCPUs per instance (may be fractional, e.g. 0.5). */
  cpu: number;
  memoryMiB: number;
  gpu?: number;
  npu?: number;
  /** Accelerator model, e.g. `nvidia-a100`, `ascend-910b`; must match the node's when set. */
  acceleratorType?: string;
}

export interface JobResourceSpec {
  resource: {
    pool?: string;
    flavor: Flavor;
    /** Instances (`实例数`), ≥ 1, default 1; multiple of `affinityGroupSize` (V14). */
    nodeCount?: number;
    /** Supernode affinity-group instance count n: every n instances share a supernode (V14). */
    affinityGroupSize?: number;
  };
  /** 1–3, default 1; 3 needs `job:setHighPriority` (V15). */
  priority?: number;
  /** Default false (V16). */
  preemptible?: boolean;
  /** Auto stop after this many running hours, 1–720 (V17). */
  maxRunHours?: number;
  /** Runtime that launches the instances; default `process`. */
  runtime?: 'process' | 'container';
  /**
   * Node affinity and anti-affinity (亲和调度策略, ch04-06 §8.4): every instance must / should (not)
   * land on nodes matching the rule's labels. ≤ 16 rules. See `NodeAffinityRule`.
   */
  nodeAffinity?: NodeAffinityRule[];
}

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
 *
 * @example
 * ```yaml
 * nodeAffinity:
 *   - { type: affinity, strength: required, labels: { zone: b } }
 *   - { type: anti-affinity, strength: preferred, labels: { trainyard.io/node-id: [n7, n9] } }
 * ```
 */
export interface NodeAffinityRule {
  type: (typeof NODE_AFFINITY_TYPES)[number];
  strength: (typeof NODE_AFFINITY_STRENGTHS)[number];
  /** ≥ 1 and ≤ 16 keys; a value list means "any of" (≤ 64 values). */
  labels: Record<string, string | string[]>;
}

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
