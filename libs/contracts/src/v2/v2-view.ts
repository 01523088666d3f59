import type { JobSummary, JobView } from '../http-api';
import type { Algorithm, Flavor } from '../job-spec';
import { v2Phase } from './v2-phase';
import type { V2TrainingJob } from './v2-wire';

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : undefined);

/** How long a job has run, in milliseconds: start to end, or to `now` while it runs; 0 before it starts. */
export function durationMs(job: Pick<JobSummary, 'startedAt' | 'endedAt'>, now: Date): number {
  const start = ms(job.startedAt);
  if (start === undefined) return 0;
  return Math.max(0, (ms(job.endedAt) ?? now.getTime()) - start);
}

/**
 * A job as the v2 API shows it (ShowTrainingJobDetails): the native view (the same read model both
 * surfaces read) renamed, with `status.phase`/`secondary_phase` (`v2-phase.ts`) and the duration.
 * `flavor_id` is the catalogue id the job was submitted with, or `inline` for a native inline flavor.
 */
export function toV2Job(job: JobView, now: Date): V2TrainingJob {
  const { metadata, algorithm, spec } = job.spec;
  const r = spec.resource;
  const start = ms(job.startedAt);
  return {
    kind: 'job',
    metadata: {
      id: job.id,
      name: job.name,
      workspace_id: '0',
      description: job.description ?? metadata.description ?? '',
      create_time: ms(job.createdAt) ?? 0,
      user_name: job.createdBy,
      annotations: metadata.annotations ?? {},
      tags: job.tags ?? metadata.tags ?? [],
      ...((job.experiment ?? metadata.experiment) ? { experiment: (job.experiment ?? metadata.experiment)! } : {}),
    },
    status: {
      ...v2Phase(job.state, job.dispatched),
      duration: durationMs(job, now),
      ...(start !== undefined ? { start_time: start } : {}),
      tasks: job.tasks.map((t) => t.name),
      task_statuses: job.tasks.map((t) => ({ task: t.name, exit_code: t.exitCode, message: t.state })),
      node_count_metrics: null,
      ...(job.reason ? { reason: job.reason } : {}),
    },
    algorithm: v2Algorithm(algorithm),
    spec: {
      resource: {
        policy: 'regular',
        flavor_id: r.flavorId ?? 'inline',
        flavor_name: r.flavorId ?? 'inline',
        node_count: r.nodeCount ?? job.nodeCount,
        pool_id: r.pool ?? 'default',
        flavor_detail: flavorDetail(r.flavor),
      },
      schedule_policy: { priority: job.priority, preemptible: spec.preemptible ?? false },
      ...(spec.maxRunHours !== undefined ? { max_run_hours: spec.maxRunHours } : {}),
      runtime: spec.runtime ?? 'process',
    },
  };
}

function v2Algorithm(a: Algorithm): Record<string, unknown> {
  const channel = (c: NonNullable<Algorithm['inputs']>[number]) => ({ name: c.name, remote: { obs: { obs_url: c.path } }, ...(c.accessMethod ? { access_method: c.accessMethod } : {}) });
  const engine = a.engine || a.image ? { ...(a.engine ? { engine_name: a.engine.name, engine_version: a.engine.version } : {}), ...(a.image ? { image_url: a.image } : {}) } : undefined;
  return {
    ...(a.codeDir !== undefined ? { code_dir: a.codeDir } : {}),
    ...(a.bootFile !== undefined ? { boot_file: a.bootFile } : {}),
    ...(a.command !== undefined ? { command: a.command } : {}),
    ...(engine ? { engine } : {}),
    ...(a.parameters ? { parameters: a.parameters } : {}),
    ...(a.inputs ? { inputs: a.inputs.map(channel) } : {}),
    ...(a.outputs ? { outputs: a.outputs.map(channel) } : {}),
    ...(a.environments ? { environments: a.environments } : {}),
    ...(a.workingDir !== undefined ? { working_dir: a.workingDir } : {}),
    ...(a.launchMethod !== undefined ? { launch_method: a.launchMethod } : {}),
    ...(a.processesPerNode !== undefined ? { processes_per_node: a.processesPerNode } : {}),
    ...(a.userId !== undefined ? { user_id: a.userId } : {}),
  };
}

/** The reference's flavor_info shape of a flavor (memory in GB, as the reference gives it). */
export function flavorDetail(f: Flavor): Record<string, unknown> {
  const accel = (unit_num: number) => ({ unit_num, product_name: f.acceleratorType ?? '', memory: '' });
  return {
    flavor_type: f.npu ? 'Ascend' : f.gpu ? 'GPU' : 'CPU',
    flavor_info: {
      cpu: { arch: 'x86', core_num: f.cpu },
      memory: { size: Math.round((f.memoryMiB / 1024) * 1000) / 1000, unit: 'GB' },
      ...(f.gpu ? { gpu: accel(f.gpu) } : {}),
      ...(f.npu ? { npu: accel(f.npu) } : {}),
    },
  };
}
