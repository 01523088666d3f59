import { FieldCode, type FieldError } from '../errors';
import type { CatalogueFlavor } from '../http-api';
import type { Algorithm, DataChannel, TrainingJobSpec } from '../job-spec';
import { engineById } from './v2-engines';
import type { V2CreateTrainingJob } from './v2-wire';

type V2Channel = NonNullable<V2CreateTrainingJob['algorithm']['inputs']>[number];

/**
 * A structurally valid v2 create body (see `V2CreateTrainingJobSchema`) as the native spec both
 * surfaces submit — the same `submit` command, so the scheduler, the guide's rules and every view
 * are shared. `flavor` is the catalogue entry `spec.resource.flavor_id` named (the API looks it up);
 * `project` the path's `{project_id}`, which becomes `metadata.project`.
 * Errors are what only this translation can see (an unknown engine id); the guide's rules run on the
 * result, and `toV2Path` names their fields in v2 terms.
 */
export function fromV2(body: V2CreateTrainingJob, flavor: CatalogueFlavor, project?: string): { ok: true; spec: TrainingJobSpec } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const { metadata: m, algorithm: a, spec: s } = body;
  const algorithm: Algorithm = {
    ...(a.command !== undefined ? { command: a.command } : {}),
    ...(a.code_dir !== undefined ? { codeDir: a.code_dir } : {}),
    ...(a.boot_file !== undefined ? { bootFile: a.boot_file } : {}),
    ...(a.working_dir !== undefined ? { workingDir: a.working_dir } : {}),
    ...(a.launch_method !== undefined ? { launchMethod: a.launch_method } : {}),
    ...(a.processes_per_node !== undefined ? { processesPerNode: a.processes_per_node } : {}),
    ...(a.user_id !== undefined ? { userId: a.user_id } : {}),
    ...(a.parameters !== undefined ? { parameters: a.parameters.map((p) => ({ name: p.name, value: p.value })) } : {}),
    ...(a.inputs !== undefined ? { inputs: a.inputs.map(channel) } : {}),
    ...(a.outputs !== undefined ? { outputs: a.outputs.map(channel) } : {}),
    ...(a.environments !== undefined ? { environments: a.environments } : {}),
  };
  const e = a.engine;
  if (e?.image_url !== undefined) algorithm.image = e.image_url;
  if (e?.engine_id !== undefined) {
    const preset = engineById(e.engine_id);
    if (!preset) errors.push({ path: 'algorithm.engine.engine_id', code: FieldCode.InvalidFormat, message: `no preset engine ${e.engine_id} (GET training-job-engines lists them)` });
    else if ((e.engine_name !== undefined && e.engine_name !== preset.name) || (e.engine_version !== undefined && e.engine_version !== preset.version)) {
      errors.push({ path: 'algorithm.engine.engine_id', code: FieldCode.Conflict, message: `engine ${e.engine_id} is ${preset.name} ${preset.version}, not the engine_name/engine_version given` });
    } else algorithm.engine = { name: preset.name, version: preset.version };
  } else if (e?.engine_name !== undefined || e?.engine_version !== undefined) {
    // Half an engine is reported by the guide's V4 (engine needs both) under the v2 names.
    algorithm.engine = { ...(e.engine_name !== undefined ? { name: e.engine_name } : {}), ...(e.engine_version !== undefined ? { version: e.engine_version } : {}) } as { name: string; version: string };
  }

  const r = s.resource;
  const affinityGroupSize = s.schedule_policy?.required_affinity?.affinity_group_size;
  const spec: TrainingJobSpec = {
    kind: 'job',
    metadata: {
      name: m.name,
      ...(project !== undefined ? { project } : {}),
      ...(m.description !== undefined ? { description: m.description } : {}),
      ...(m.annotations !== undefined ? { annotations: m.annotations } : {}),
      ...(m.tags !== undefined ? { tags: m.tags } : {}),
      ...(m.experiment !== undefined ? { experiment: m.experiment } : {}),
    },
    algorithm,
    spec: {
      resource: {
        pool: r.pool_id ?? flavor.pool,
        flavor: flavor.flavor,
        flavorId: r.flavor_id,
        ...(r.node_count !== undefined ? { nodeCount: r.node_count } : {}),
        ...(affinityGroupSize !== undefined ? { affinityGroupSize } : {}),
      },
      ...(s.schedule_policy?.priority !== undefined ? { priority: s.schedule_policy.priority } : {}),
      ...(s.schedule_policy?.preemptible !== undefined ? { preemptible: s.schedule_policy.preemptible } : {}),
      ...(s.max_run_hours !== undefined ? { maxRunHours: s.max_run_hours } : {}),
      ...(s.runtime !== undefined ? { runtime: s.runtime } : {}),
    },
  };
  return errors.length ? { ok: false, errors } : { ok: true, spec };
}

function channel(c: V2Channel): DataChannel {
  return { name: c.name, path: c.remote.obs?.obs_url ?? '', ...(c.access_method !== undefined ? { accessMethod: c.access_method } : {}) };
}

/** Native field → v2 field, longest prefix first. */
const RENAMES: [RegExp, string][] = [
  [/^algorithm\.codeDir/, 'algorithm.code_dir'],
  [/^algorithm\.bootFile/, 'algorithm.boot_file'],
  [/^algorithm\.workingDir/, 'algorithm.working_dir'],
  [/^algorithm\.launchMethod/, 'algorithm.launch_method'],
  [/^algorithm\.processesPerNode/, 'algorithm.processes_per_node'],
  [/^algorithm\.userId/, 'algorithm.user_id'],
  [/^algorithm\.image/, 'algorithm.engine.image_url'],
  [/^algorithm\.engine\.name/, 'algorithm.engine.engine_name'],
  [/^algorithm\.engine\.version/, 'algorithm.engine.engine_version'],
  [/^algorithm\.(inputs|outputs)(\[\d+\])\.path/, 'algorithm.$1$2.remote.obs.obs_url'],
  [/^algorithm\.(inputs|outputs)(\[\d+\])\.accessMethod/, 'algorithm.$1$2.access_method'],
  [/^spec\.resource\.flavorId/, 'spec.resource.flavor_id'],
  [/^spec\.resource\.flavor(\.|$).*/, 'spec.resource.flavor_id'],
  [/^spec\.resource\.pool/, 'spec.resource.pool_id'],
  [/^spec\.resource\.nodeCount/, 'spec.resource.node_count'],
  [/^spec\.resource\.affinityGroupSize/, 'spec.schedule_policy.required_affinity.affinity_group_size'],
  [/^spec\.priority/, 'spec.schedule_policy.priority'],
  [/^spec\.preemptible/, 'spec.schedule_policy.preemptible'],
  [/^spec\.maxRunHours/, 'spec.max_run_hours'],
];

/** The v2 name of a native field path, for errors a v2 client can act on (`spec.resource.nodeCount` → `spec.resource.node_count`). */
export function toV2Path(path: string): string {
  for (const [from, to] of RENAMES) if (from.test(path)) return path.replace(from, to);
  return path;
}
