import { FieldCode, type FieldError } from './errors';
import { JobUpdateSchema, type JobUpdate } from './http-api';
import { checkStorableInput } from './storable-input';
import { FieldErrors } from './validate-fields';
import { validateJobSpec } from './validate-job-spec';
import { wireErrors } from './wire-check';

/**
 * What may change on a job after creation (issue 18): its description, its tags and its experiment.
 * The structure comes from the wire schema (`JobUpdateSchema`); the guide's rules are the creation
 * rules themselves — V2 for the description, V22 for the tags — run through `validateJobSpec` on the
 * fields given, so a value refused at submit is refused here with the same code and rule.
 *
 * @example
 * ```ts
 * validateJobUpdate({ tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })
 * // { ok: false, errors: [{ path: 'tags[1].key', code: 'DUPLICATE', rule: 'V22', … }] }
 * ```
 */
export function validateJobUpdate(input: unknown): { ok: true; update: JobUpdate } | { ok: false; errors: FieldError[] } {
  const hygiene = new FieldErrors();
  checkStorableInput(input, '', hygiene);
  if (hygiene.list.length) return { ok: false, errors: hygiene.list };
  const structure = wireErrors(JobUpdateSchema, input);
  if (structure.length) return { ok: false, errors: structure };
  const update = input as JobUpdate;
  const metadata = {
    name: 'update',
    ...(update.description !== undefined ? { description: update.description } : {}),
    ...(update.tags !== undefined ? { tags: update.tags } : {}),
    ...(typeof update.experiment === 'string' ? { experiment: update.experiment } : {}),
  };
  const probe = { kind: 'job', metadata, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 1 } } } };
  const r = validateJobSpec(probe);
  if (r.ok) return { ok: true, update };
  const errors = r.errors.map((e) => ({ ...e, path: e.path.replace(/^metadata\./, '') }));
  // Only the fields of the update can be at fault; anything else would be a bug of the probe.
  return { ok: false, errors: errors.length ? errors : [{ path: '', code: FieldCode.InvalidFormat, message: 'invalid update' }] };
}
