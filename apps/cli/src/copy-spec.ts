import { FieldCode, SET_HIGH_PRIORITY, validateJobSpec, type TrainingJobSpec } from '@trainyard/contracts';
import { CliError } from './cli-error';
import { applyOverrides, type Override } from './set-override';

const FLAVOR = 'spec.resource.flavor';
const FLAVOR_ID = 'spec.resource.flavorId';
const POOL = 'spec.resource.pool';

/**
 * The spec of a copy of a job (`yard copy`; the guide's failure advice "copy the job"): the job's own
 * spec with the overrides applied, checked by the same rules the API runs at submit
 * (`validateJobSpec`), so a bad `--set` is refused before anything is sent, naming the field.
 *
 * A stored spec that named a catalogue flavor holds both `flavorId` and the resolved `flavor`: a new
 * `flavorId` (or pool) drops the stale inline flavor so the API resolves the new one; a changed inline
 * flavor drops the id. The permission for priority 3 is the API's to judge, so it is assumed here.
 */
export function copySpec(source: TrainingJobSpec, overrides: readonly Override[], jobId: string): TrainingJobSpec {
  const touched = (path: string) => overrides.some((o) => { const p = o.path.join('.'); return p === path || p.startsWith(`${path}.`); });
  const spec = applyOverrides(source, overrides) as TrainingJobSpec;
  const resource = spec.spec?.resource as Record<string, unknown> | undefined;
  if (resource && typeof resource === 'object') {
    if ((touched(FLAVOR_ID) || touched(POOL)) && !touched(FLAVOR) && typeof resource.flavorId === 'string') delete resource.flavor;
    else if (touched(FLAVOR) && !touched(FLAVOR_ID)) delete resource.flavorId;
  }
  const check = validateJobSpec(spec, { permissions: [SET_HIGH_PRIORITY] });
  // With a catalogue id and no inline flavor the API fills the flavor in: not an error of the copy.
  const errors = check.ok ? [] : check.errors.filter((e) => !(e.path === FLAVOR && e.code === FieldCode.Required && typeof resource?.flavorId === 'string'));
  if (errors.length) {
    throw new CliError('VALIDATION_FAILED', `the copy of job ${jobId} has ${errors.length} error(s)`, undefined, undefined, errors);
  }
  return spec;
}
