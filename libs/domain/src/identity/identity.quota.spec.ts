import { Subjects, type IdentityEvent, validateQuotaConfig } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { decideIdentity, type IdentityCommand } from './identity.decide';
import { evolveIdentity, initialIdentity, type IdentityState } from './identity';

const now = '2026-12-02T10:00:00.000Z';
const run = (state: IdentityState, subject: string, command: IdentityCommand) => {
  const d = decideIdentity(command, state);
  if (d.ok) for (const e of d.events) evolveIdentity(state, subject, e as IdentityEvent);
  return d;
};
const withProject = (id: string) => {
  const s = initialIdentity();
  run(s, Subjects.iamProject(id), { type: 'CreateProject', data: { projectId: id, by: 'user:admin' }, metadata: { now } });
  return s;
};
const set = (project: string, pool: string, quota: object): IdentityCommand => ({ type: 'SetQuota', data: { project, pool, quota: quota as never, by: 'user:admin' }, metadata: { now } });

describe('identity - quotas', () => {
  it('SetQuota - on an existing project: folded into its pool, replaced by the next one, identical is no event', () => {
    const s = withProject('vision');
    const d = run(s, Subjects.iamProject('vision'), set('vision', 'a100', { guaranteed: { gpu: 8 }, cohort: 'research' }));
    expect(d.ok && d.events.map((e) => e.type)).toEqual(['QuotaSet']);
    expect(s.projects.get('vision')!.quotas.get('a100')).toMatchObject({ pool: 'a100', guaranteed: { gpu: 8 }, cohort: 'research', setBy: 'user:admin', setAt: now });
    const again = run(s, Subjects.iamProject('vision'), set('vision', 'a100', { cohort: 'research', guaranteed: { gpu: 8 } }));
    expect(again.ok && again.events).toEqual([]);
    run(s, Subjects.iamProject('vision'), set('vision', 'a100', { guaranteed: { gpu: 4 }, limit: { gpu: 12 } }));
    expect(s.projects.get('vision')!.quotas.get('a100')).toMatchObject({ guaranteed: { gpu: 4 }, limit: { gpu: 12 } });
    expect(s.projects.get('vision')!.quotas.get('a100')!.cohort).toBeUndefined();
  });

  it('SetQuota - refuses an unknown project and a limit below its guarantee, naming the field', () => {
    const s = withProject('vision');
    const unknown = decideIdentity(set('speech', 'a100', { guaranteed: { gpu: 1 } }), s);
    expect(!unknown.ok && unknown.rejection).toMatchObject({ code: 'NOT_FOUND', reason: 'UnknownProject' });
    const below = decideIdentity(set('vision', 'a100', { guaranteed: { gpu: 8, cpu: 4 }, limit: { gpu: 4, cpu: 8 } }), s);
    expect(!below.ok && below.rejection).toMatchObject({ code: 'VALIDATION_FAILED', reason: 'LimitBelowGuarantee', details: [{ path: 'limit.gpu', code: 'OUT_OF_RANGE' }] });
  });

  it('RemoveQuota - removes the pool\'s quota; removing one that is not there is NOT_FOUND on pool', () => {
    const s = withProject('vision');
    run(s, Subjects.iamProject('vision'), set('vision', 'a100', { guaranteed: { gpu: 8 } }));
    const rm: IdentityCommand = { type: 'RemoveQuota', data: { project: 'vision', pool: 'a100', by: 'user:admin' }, metadata: { now } };
    expect(run(s, Subjects.iamProject('vision'), rm).ok).toBe(true);
    expect(s.projects.get('vision')!.quotas.size).toBe(0);
    const twice = decideIdentity(rm, s);
    expect(!twice.ok && twice.rejection).toMatchObject({ code: 'NOT_FOUND', reason: 'NoQuota', details: [{ path: 'pool' }] });
  });
});

describe('validateQuotaConfig', () => {
  it('accepts the resources a quota may name', () => {
    expect(validateQuotaConfig({ guaranteed: { cpu: 8, memoryMiB: 1024, gpu: 2, 'npu/ascend-910b': 8 }, limit: { gpu: 4 }, cohort: 'c-1', weight: 2 }))
      .toEqual({ ok: true, quota: { guaranteed: { cpu: 8, memoryMiB: 1024, gpu: 2, 'npu/ascend-910b': 8 }, limit: { gpu: 4 }, cohort: 'c-1', weight: 2 } });
  });

  it('reports every offending field with its code', () => {
    const r = validateQuotaConfig({ guaranteed: { gpus: 1, cpu: -1 }, limit: 3, cohort: 'a b', weight: 0, extra: true });
    expect(!r.ok && r.errors.map((e) => [e.path, e.code])).toEqual([
      ['extra', 'UNKNOWN_FIELD'], ['guaranteed.gpus', 'UNKNOWN_FIELD'], ['guaranteed.cpu', 'OUT_OF_RANGE'], ['limit', 'INVALID_TYPE'], ['cohort', 'INVALID_FORMAT'], ['weight', 'OUT_OF_RANGE'],
    ]);
    expect(validateQuotaConfig({})).toMatchObject({ ok: false, errors: [{ path: 'guaranteed', code: 'REQUIRED' }] });
  });
});
