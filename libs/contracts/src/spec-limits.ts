/*
 * The limits of a job document, in one place: the wire schema (`job-spec.ts`) states them for
 * clients and the OpenAPI document, the validators enforce them. Sources are in each doc comment.
 */

/**
 * Limits the validator enforces: the guide's (§11: name L1388, description L4383, tags L2150, priority
 * L2029, auto stop L2060) and ours where it states none (`maxNodeCount`; tag-text, pool and
 * accelerator-type lengths — tag texts as a cloud tag service's 128/255).
 */
export const JOB_SPEC_LIMITS = {
  nameLength: 64,
  descriptionLength: 256,
  tags: 20,
  tagKeyLength: 128,
  tagValueLength: 255,
  poolLength: 64,
  acceleratorTypeLength: 64,
  minPriority: 1,
  maxPriority: 3,
  maxRunHours: 720,
  maxNodeCount: 4096,
} as const;

/**
 * Limits the algorithm section enforces: the guide's (§11: ≤ 100 hyperparameters L1662, ≤ 100
 * environment variables L1673, hyperparameter names ≤ 64 L2961) and ours where it states none. Paths
 * (codeDir, bootFile, workingDir, channel paths) follow `PATH_LIMITS` (Linux PATH_MAX / NAME_MAX).
 * Byte limits sit well below Linux's 128 KiB for one argv or environment string (MAX_ARG_STRLEN):
 * the command runs as `sh -c <command>`, hyperparameters as `--name=value`, variables in the environment.
 */
export const ALGORITHM_LIMITS = {
  parameters: 100,
  environments: 100,
  parameterNameLength: 64,
  processesPerNode: 1024,
  commandBytes: 65_536,
  parameterValueBytes: 4_096,
  environmentNameLength: 255,
  environmentValueBytes: 32_768,
  /** Image reference: registry, repository, tag and digest. */
  imageBytes: 1_024,
  engineFieldLength: 64,
  /** Data channels per direction (inputs, outputs). */
  channels: 64,
} as const;

/**
 * Limits of `metadata.annotations` (ours: the guide gives none). Keys as long as Kubernetes label keys,
 * so annotations copied from a cluster fit; values are short settings, not documents.
 */
export const ANNOTATION_LIMITS = { annotations: 64, keyLength: 253, valueLength: 4096 } as const;

/**
 * Limits of `spec.nodeAffinity` (ours: the guide gives none). Label keys and values follow the
 * Kubernetes sizes, so labels copied from a cluster fit.
 */
export const NODE_AFFINITY_LIMITS = {
  rules: 16,
  labelsPerRule: 16,
  valuesPerLabel: 64,
  keyLength: 253,
  valueLength: 63,
} as const;
