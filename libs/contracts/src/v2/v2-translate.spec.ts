import { describe, expect, it } from 'vitest';
import { FieldCode } from '../errors';
import { JOB_STATES, type JobView } from '../http-api';
import { validateJobSpec } from '../validate-job-spec';
import { wireErrors } from '../wire-check';
import { V2_PHASE_OF_STATE, statesOfPhase, v2Phase } from './v2-phase';
import { fromV2, toV2Path } from './v2-request';
import { durationMs, toV2Job } from './v2-view';
import { V2CreateTrainingJobSchema, V2TrainingJobSchema, V2_PHASES, type V2CreateTrainingJob } from './v2-wire';

const flavor = { id: 'cpu.half', pool: 'default', flavor: { cpu: 0.5, memoryMiB: 256 } };
const body = (): V2CreateTrainingJob => ({
  kind: 'job',
  metadata: { name: 'resnet', description: 'run 2', annotations: { 'fault-tolerance/job-retry-num': '3' }, tags: [{ key: 't', value: 'v' }] },
  algorithm: {
    code_dir: '/srv/code/resnet',
    boot_file: '/srv/code/resnet/train.py',
    engine: { engine_id: 'pytorch-2.1' },
    parameters: [{ name: 'lr', value: '0.1', description: 'learning rate' }],
    inputs: [{ name: 'data_url', remote: { obs: { obs_url: '/srv/data' } } }],
    environments: { A: '1' },
  },
  spec: { resource: { flavor_id: 'cpu.half', node_count: 4 }, schedule_policy: { priority: 2, required_affinity: { affinity_group_size: 2 } }, max_run_hours: 3 },
});

describe('v2 phases - the nine states as phase and secondary_phase', () => {
  it('maps every state but deleted to one of the reference phases, and a phase filter back to its states', () => {
    for (const state of JOB_STATES.filter((s) => s !== 'deleted')) {
      const { phase } = v2Phase(state);
      expect(V2_PHASES).toContain(phase);
      expect(statesOfPhase(phase)).toContain(state);
    }
    expect(Object.keys(V2_PHASE_OF_STATE)).toHaveLength(9);
    expect(v2Phase('waiting')).toEqual({ phase: 'Pending', secondary_phase: 'Queuing' });
    expect(v2Phase('waiting', true)).toEqual({ phase: 'Pending', secondary_phase: 'Scheduled' });
    expect(v2Phase('deleting')).toEqual({ phase: 'Terminated', secondary_phase: 'Deleting' });
    expect(statesOfPhase('Terminated')).toEqual(['terminated', 'deleting']);
  });
});

describe('v2 request - the reference body as the native spec', () => {
  it('renames every field and resolves the catalogue flavor and the preset engine; the result passes the guide rules', () => {
    const b = body();
    expect(wireErrors(V2CreateTrainingJobSchema, b)).toEqual([]);
    const r = fromV2(b, flavor);
    expect(r.ok).toBe(true);
    const spec = r.ok ? r.spec : undefined;
    expect(spec).toEqual({
      kind: 'job',
      metadata: { name: 'resnet', description: 'run 2', annotations: { 'fault-tolerance/job-retry-num': '3' }, tags: [{ key: 't', value: 'v' }] },
      algorithm: {
        codeDir: '/srv/code/resnet',
        bootFile: '/srv/code/resnet/train.py',
        engine: { name: 'PyTorch', version: '2.1' },
        parameters: [{ name: 'lr', value: '0.1' }],
        inputs: [{ name: 'data_url', path: '/srv/data' }],
        environments: { A: '1' },
      },
      spec: { resource: { pool: 'default', flavor: { cpu: 0.5, memoryMiB: 256 }, flavorId: 'cpu.half', nodeCount: 4, affinityGroupSize: 2 }, priority: 2, maxRunHours: 3 },
    });
    expect(validateJobSpec(spec).ok).toBe(true);
  });

  it('an unknown engine id, or one that contradicts the name given, is refused at its field', () => {
    const b = body();
    b.algorithm.engine = { engine_id: 'caffe-1' };
    expect(fromV2(b, flavor)).toMatchObject({ ok: false, errors: [{ path: 'algorithm.engine.engine_id', code: FieldCode.InvalidFormat }] });
    b.algorithm.engine = { engine_id: 'pytorch-2.1', engine_name: 'TensorFlow' };
    expect(fromV2(b, flavor)).toMatchObject({ ok: false, errors: [{ path: 'algorithm.engine.engine_id', code: FieldCode.Conflict }] });
  });

  it('names native fields in v2 terms, so errors of the guide rules point at what the client sent', () => {
    expect(toV2Path('spec.resource.nodeCount')).toBe('spec.resource.node_count');
    expect(toV2Path('spec.resource.flavor.cpu')).toBe('spec.resource.flavor_id');
    expect(toV2Path('spec.resource.affinityGroupSize')).toBe('spec.schedule_policy.required_affinity.affinity_group_size');
    expect(toV2Path('spec.priority')).toBe('spec.schedule_policy.priority');
    expect(toV2Path('algorithm.inputs[3].path')).toBe('algorithm.inputs[3].remote.obs.obs_url');
    expect(toV2Path('algorithm.engine.name')).toBe('algorithm.engine.engine_name');
    expect(toV2Path('algorithm.image')).toBe('algorithm.engine.image_url');
    expect(toV2Path('metadata.tags[1].key')).toBe('metadata.tags[1].key');
  });
});

describe('v2 view - a job as the reference shows it', () => {
  const job = (over: Partial<JobView> = {}): JobView => ({
    id: 'j1', name: 'resnet', state: 'running', priority: 2, nodeCount: 2, attempt: 1,
    createdAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:10.000Z', endedAt: null, updatedAt: '2026-01-01T00:00:10.000Z',
    description: 'run 2', stateZh: '运行中', dispatched: true, reason: null, createdBy: 'user:ada',
    spec: { kind: 'job', metadata: { name: 'resnet' }, algorithm: { command: 'true', codeDir: '/srv/c' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 2048, gpu: 1, acceleratorType: 'nvidia-a100' }, flavorId: 'gpu.1' } } },
    tasks: [{ name: 'worker-0', index: 0, state: 'running', nodeId: 'n1', attempt: 1, exitCode: null, signal: null, procStartCount: 1, startedAt: null, endedAt: null }],
    ...over,
  });

  it('has the reference response shape, with phase, duration in ms and the flavor detail', () => {
    const v = toV2Job(job(), new Date('2026-01-01T00:01:10.000Z'));
    expect(wireErrors(V2TrainingJobSchema, v)).toEqual([]);
    expect(v.metadata).toMatchObject({ id: 'j1', create_time: Date.parse('2026-01-01T00:00:00.000Z'), user_name: 'user:ada', workspace_id: '0' });
    expect(v.status).toMatchObject({ phase: 'Running', secondary_phase: 'Running', duration: 60_000, tasks: ['worker-0'] });
    expect(v.spec.resource).toMatchObject({ flavor_id: 'gpu.1', node_count: 2, pool_id: 'default' });
    expect(v.spec.resource.flavor_detail).toMatchObject({ flavor_type: 'GPU', flavor_info: { gpu: { unit_num: 1, product_name: 'nvidia-a100' }, memory: { size: 2, unit: 'GB' } } });
    expect(v.algorithm).toEqual({ code_dir: '/srv/c', command: 'true' });
  });

  it('duration: 0 before the start, start to end once ended', () => {
    expect(durationMs({ startedAt: null, endedAt: null }, new Date())).toBe(0);
    expect(durationMs({ startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:00:05Z' }, new Date('2030-01-01'))).toBe(5000);
  });
});
