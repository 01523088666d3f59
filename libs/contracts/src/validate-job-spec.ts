/*
 * Validation of a submitted training-job document (ch04-06 §13, rules V1–V25; only the ones that mean
 * something on a self-hosted cluster). Every error is collected, each with a path, a FieldCode and the
 * rule id, so a client can fix a document in one round trip.
 *
 * Where the guide contradicts itself or does not fit a self-hosted cluster (ch04-06 §12), we chose:
 * - Name (§12.2): an allow-list `^[A-Za-z0-9_-]{1,64}$`, the strict "只包含" reading.
 * - Description (§12.3): the P/C rule everywhere: ≤ 256 characters (code points, not UTF-16 units) of
 *   letters, Chinese, digits, space, `-`, `_`, comma and period. The hyperparameter text (L2982) says
 *   "中英文逗号和中英文句号", so both `,` `.` and `，` `。` are accepted.
 * - Pools: every pool of a self-hosted cluster is "dedicated", so V6 uses 0–65535 (not public
 *   1000–65535) and priority / preemptible are always allowed (V15, V16).
 * - V5 says custom boot mode needs an image; here an image is needed only by the container runtime,
 *   because the process runtime runs the command on the host.
 * - V8 "workingDir is an ancestor of the boot file's directory" is checked only when bootFile is an
 *   absolute path. A relative boot file lives under `${MA_JOB_DIR}`, which only the node agent knows;
 *   it re-checks at launch.
 * - V17: the console presets 1/2/4/6 h are a subset of the custom range, so any integer 1–720.
 * - V18: "auto restart on" is, in the API, the presence of `fault-tolerance/job-retry-num`
 *   (ch12-13), which the other fault-tolerance keys require. `pod-retry-num` has no stated range: an
 *   integer ≥ 0. `hccl_op_retry` is accepted as "true"/"false"; its hardware preconditions are not
 *   modelled. Unknown `fault-tolerance/*` keys are rejected; other annotation keys are free.
 * - MA_ prefix: L11962 forbids custom `MA_*` names while L11967 lets users override preset values;
 *   we reject `MA_*` except the knobs the guide tells users to set (`USER_SETTABLE_MA_VARIABLES`:
 *   `MA_RUN_METHOD`, `MA_EXTRA_TORCHRUN_PARAMS`…, values checked) and allow overriding any other preset
 *   variable (NCCL_*, VC_*…).
 * - Launch methods other than `custom` start a boot file, so they need the preset-framework fields.
 * - Supernode affinity (§12.5): only the group-size field is modelled; "all instances in one group"
 *   is `affinityGroupSize = nodeCount`, which the multiple rule accepts.
 * - Node affinity (§8.4): `spec.nodeAffinity`, the console's 亲和类型 × 强度 as `{ type, strength,
 *   labels }` (`validate-node-affinity.ts`); the guide states no limits, ours are in NODE_AFFINITY_LIMITS.
 * - nodeCount ≤ 4096 is ours (the guide states no maximum): one task per instance is created at submit.
 * - The caller's permissions: omitted means none, so priority 3 fails closed with FORBIDDEN_VALUE.
 * - V21 SSH trust (`spec.sshTrust`, `validate-ssh-trust.ts`): the dir stays under `/home/ma-user`.
 * - The document root is path `""`; `null` is never accepted for an optional field (omit it instead).
 */
import { ErrorCode, FieldCode, type FieldError } from './errors';
import { FLAVOR_ID_PATTERN, FlavorSchema, JobMetadataSchema, JobResourceSpecSchema, TagSchema, TrainingJobSpecSchema, type TrainingJobSpec } from './job-spec';
import { PROJECT_ID } from './identity-events';
import { checkStorableInput } from './storable-input';
import { validateAlgorithm } from './validate-algorithm';
import { validateAnnotations } from './validate-annotations';
import { validateNodeAffinity } from './validate-node-affinity';
import { validateSshTrust } from './validate-ssh-trust';
import {
  FieldErrors,
  arrayAt,
  charLength,
  checkKnownKeys,
  enumAt,
  indexPath,
  integerAt,
  keysOf,
  objectAt,
  stringAt,
} from './validate-fields';

export { FaultToleranceAnnotation } from './validate-annotations';
export { ALGORITHM_LIMITS, ANNOTATION_LIMITS, JOB_SPEC_LIMITS, NODE_AFFINITY_LIMITS } from './spec-limits';
import { JOB_SPEC_LIMITS } from './spec-limits';


/** The permission priority 3 needs (`modelarts:trainJob:setHighPriority` in the guide, L11797). */
export const SET_HIGH_PRIORITY = 'job:setHighPriority';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Flavor ids and experiment names (ours): what fits a URL path segment and a table cell. */
export const FLAVOR_ID = new RegExp(FLAVOR_ID_PATTERN);
const EXPERIMENT = /^[A-Za-z0-9_.-]{1,64}$/;
const DESCRIPTION = /^[A-Za-z0-9\p{Script=Han} _,.，。-]*$/u;

/**
 * Result of `validateJobSpec`: the typed spec, or every error found.
 *
 * @example
 * ```ts
 * { ok: false, errors: [{ path: 'metadata.name', code: 'INVALID_FORMAT', message: '…', rule: 'V1' }] }
 * ```
 */
export type ValidateJobSpecResult = { ok: true; spec: TrainingJobSpec } | { ok: false; errors: FieldError[] };

/**
 * Checks the structure, the types and the rules of ch04-06 §13 of a submitted job document. Defaults
 * are not applied (see `withDefaults`); the spec returned is the input, typed.
 *
 * @example
 * ```ts
 * const r = validateJobSpec(JSON.parse(body), { permissions: caller.permissions });
 * if (!r.ok) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid job spec', r.errors);
 * submit(withDefaults(r.spec));
 * ```
 */
export function validateJobSpec(input: unknown, caller?: { permissions: string[] }): ValidateJobSpecResult {
  const e = new FieldErrors();
  // Text, keys and depth first: the field rules below then only ever see storable, shallow input
  // (and echo keys in messages safely). A document that fails here gets only these errors.
  checkStorableInput(input, '', e);
  if (e.list.length) return { ok: false, errors: e.list };
  const doc = objectAt(input, '', e, true);
  if (doc) {
    checkKnownKeys(doc, keysOf(TrainingJobSpecSchema), '', e);
    if (doc.kind === undefined) e.add('kind', FieldCode.Required, 'kind is required');
    else enumAt(doc.kind, 'kind', ['job'] as const, e);
    const metadata = validateMetadata(doc.metadata, e);
    const algorithm = validateAlgorithm(doc.algorithm, e);
    const resource = validateJobResourceSpec(doc.spec, caller?.permissions ?? [], e);
    validateAnnotations(metadata?.annotations, resource.accelerated, e);
    if (resource.runtime === 'container' && !algorithm.hasImage && isPresent(doc.algorithm)) {
      e.add('algorithm.image', FieldCode.Required, 'the container runtime needs an image', 'V5');
    }
  }
  return e.list.length ? { ok: false, errors: e.list } : { ok: true, spec: input as TrainingJobSpec };
}

/**
 * The error a refused spec answers: FORBIDDEN when its only fault is the priority-3 permission (the
 * caller may not, the document is fine), VALIDATION_FAILED otherwise.
 */
export function specRefusalCode(errors: readonly FieldError[]): typeof ErrorCode.Forbidden | typeof ErrorCode.ValidationFailed {
  const onlyForbidden = errors.length > 0 && errors.every((e) => e.code === FieldCode.Forbidden && e.path === 'spec.priority');
  return onlyForbidden ? ErrorCode.Forbidden : ErrorCode.ValidationFailed;
}

const isPresent = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

function validateMetadata(value: unknown, e: FieldErrors): Record<string, unknown> | undefined {
  const meta = objectAt(value, 'metadata', e, true);
  if (!meta) return undefined;
  checkKnownKeys(meta, keysOf(JobMetadataSchema), 'metadata', e);

  const name = stringAt(meta.name, 'metadata.name', e, { required: true, rule: 'V1' });
  if (name !== undefined) {
    if (name.length === 0) e.add('metadata.name', FieldCode.Required, 'name must not be empty', 'V1');
    else if (charLength(name) > JOB_SPEC_LIMITS.nameLength) e.add('metadata.name', FieldCode.TooLong, `at most ${JOB_SPEC_LIMITS.nameLength} characters`, 'V1');
    else if (!NAME.test(name)) e.add('metadata.name', FieldCode.InvalidFormat, 'only letters, digits, - and _', 'V1');
  }

  const description = stringAt(meta.description, 'metadata.description', e, { rule: 'V2' });
  if (description !== undefined) {
    if (charLength(description) > JOB_SPEC_LIMITS.descriptionLength) {
      e.add('metadata.description', FieldCode.TooLong, `at most ${JOB_SPEC_LIMITS.descriptionLength} characters`, 'V2');
    }
    if (!DESCRIPTION.test(description)) {
      e.add('metadata.description', FieldCode.InvalidFormat, 'only letters, Chinese, digits, space, -, _, comma and period', 'V2');
    }
  }

  // The job's project (issue 11; the vendor's workspace): it decides who may read and act on the job.
  const project = stringAt(meta.project, 'metadata.project', e, {});
  if (project !== undefined && !PROJECT_ID.test(project)) e.add('metadata.project', FieldCode.InvalidFormat, 'a project id: lower-case letters, digits, - and _, at most 63');

  validateTags(meta.tags, e);
  const experiment = stringAt(meta.experiment, 'metadata.experiment', e, { nonEmpty: true, maxChars: 64 });
  if (experiment !== undefined && !EXPERIMENT.test(experiment)) e.add('metadata.experiment', FieldCode.InvalidFormat, 'only letters, digits, ., - and _');
  return meta;
}

/** V22: ≤ 20 tags with unique keys. */
function validateTags(value: unknown, e: FieldErrors): void {
  const list = arrayAt(value, 'metadata.tags', e);
  if (!list) return;
  if (list.length > JOB_SPEC_LIMITS.tags) return e.add('metadata.tags', FieldCode.TooMany, `at most ${JOB_SPEC_LIMITS.tags} tags (got ${list.length})`, 'V22');
  const keys = new Map<string, number>();
  list.forEach((item, i) => {
    const at = indexPath('metadata.tags', i);
    const tag = objectAt(item, at, e, true);
    if (!tag) return;
    checkKnownKeys(tag, keysOf(TagSchema), at, e);
    const key = stringAt(tag.key, `${at}.key`, e, { required: true, nonEmpty: true, rule: 'V22', maxChars: JOB_SPEC_LIMITS.tagKeyLength });
    stringAt(tag.value, `${at}.value`, e, { required: true, rule: 'V22', maxChars: JOB_SPEC_LIMITS.tagValueLength });
    if (key === undefined) return;
    const first = keys.get(key);
    if (first !== undefined) e.add(`${at}.key`, FieldCode.Duplicate, `tag key ${key} is already used by metadata.tags[${first}]`, 'V22');
    else keys.set(key, i);
  });
}

interface ResourceFacts {
  /** Whether the flavor asks for any GPU/NPU; undefined when the flavor is unreadable. */
  accelerated?: boolean;
  runtime?: 'process' | 'container';
}

function validateJobResourceSpec(value: unknown, permissions: string[], e: FieldErrors): ResourceFacts {
  const spec = objectAt(value, 'spec', e, true);
  if (!spec) return {};
  checkKnownKeys(spec, keysOf(JobResourceSpecSchema), 'spec', e);
  const accelerated = validateResource(spec.resource, e);

  const priority = integerAt(spec.priority, 'spec.priority', e, { min: JOB_SPEC_LIMITS.minPriority, max: JOB_SPEC_LIMITS.maxPriority, rule: 'V15' });
  if (priority === 3 && !permissions.includes(SET_HIGH_PRIORITY)) {
    e.add('spec.priority', FieldCode.Forbidden, `priority 3 needs the permission ${SET_HIGH_PRIORITY}`, 'V15');
  }
  if (spec.preemptible !== undefined && typeof spec.preemptible !== 'boolean') {
    e.add('spec.preemptible', FieldCode.InvalidType, 'spec.preemptible must be a boolean', 'V16');
  }
  integerAt(spec.maxRunHours, 'spec.maxRunHours', e, { min: 1, max: JOB_SPEC_LIMITS.maxRunHours, rule: 'V17' });
  const runtime = enumAt(spec.runtime, 'spec.runtime', ['process', 'container'] as const, e);
  validateNodeAffinity(spec.nodeAffinity, e);
  validateSshTrust(spec.sshTrust, e);
  // SSH trust is built for the process runtime (ssh-trust/ in the agent); a container's image would
  // need its own sshd, keys mounted and the names as extra hosts: refused, not silently dropped.
  if (runtime === 'container' && (spec.sshTrust as { enabled?: unknown } | undefined)?.enabled === true) {
    e.add('spec.sshTrust.enabled', FieldCode.Conflict, 'SSH trust is offered on the process runtime only; the container runtime does not set it up yet', 'V21');
  }
  return { accelerated, runtime };
}

/** Flavor and V14; returns whether the flavor has accelerators (undefined when unreadable). */
function validateResource(value: unknown, e: FieldErrors): boolean | undefined {
  const resource = objectAt(value, 'spec.resource', e, true);
  if (!resource) return undefined;
  checkKnownKeys(resource, keysOf(JobResourceSpecSchema.properties.resource), 'spec.resource', e);
  stringAt(resource.flavorId, 'spec.resource.flavorId', e, { nonEmpty: true, maxChars: 64 });
  if (typeof resource.flavorId === 'string' && !FLAVOR_ID.test(resource.flavorId)) e.add('spec.resource.flavorId', FieldCode.InvalidFormat, 'dot-separated letters, digits, - and _, e.g. cpu.2u4g');
  stringAt(resource.pool, 'spec.resource.pool', e, { nonEmpty: true, maxChars: JOB_SPEC_LIMITS.poolLength });

  let accelerated: boolean | undefined;
  const flavor = objectAt(resource.flavor, 'spec.resource.flavor', e, true);
  if (flavor) {
    const at = 'spec.resource.flavor';
    checkKnownKeys(flavor, keysOf(FlavorSchema), at, e);
    if (flavor.cpu === undefined) e.add(`${at}.cpu`, FieldCode.Required, 'cpu is required');
    else if (typeof flavor.cpu !== 'number' || !Number.isFinite(flavor.cpu)) e.add(`${at}.cpu`, FieldCode.InvalidType, 'cpu must be a number');
    else if (flavor.cpu <= 0) e.add(`${at}.cpu`, FieldCode.OutOfRange, 'cpu must be > 0');
    integerAt(flavor.memoryMiB, `${at}.memoryMiB`, e, { min: 1, required: true });
    const gpu = integerAt(flavor.gpu, `${at}.gpu`, e, { min: 0 });
    const npu = integerAt(flavor.npu, `${at}.npu`, e, { min: 0 });
    stringAt(flavor.acceleratorType, `${at}.acceleratorType`, e, { nonEmpty: true, maxChars: JOB_SPEC_LIMITS.acceleratorTypeLength });
    const badCount = (v: unknown, n: number | undefined) => v !== undefined && n === undefined;
    if (!badCount(flavor.gpu, gpu) && !badCount(flavor.npu, npu)) accelerated = (gpu ?? 0) + (npu ?? 0) > 0;
  }

  const nodeCount = integerAt(resource.nodeCount, 'spec.resource.nodeCount', e, { min: 1, max: JOB_SPEC_LIMITS.maxNodeCount, rule: 'V14' });
  const group = integerAt(resource.affinityGroupSize, 'spec.resource.affinityGroupSize', e, { min: 1, rule: 'V14' });
  const count = resource.nodeCount === undefined ? 1 : nodeCount;
  if (group !== undefined && count !== undefined && count % group !== 0) {
    e.add('spec.resource.nodeCount', FieldCode.NotMultiple, `nodeCount ${count} must be a multiple of affinityGroupSize ${group}`, 'V14');
  }
  return accelerated;
}
