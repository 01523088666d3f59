import { describe, expect, it } from 'vitest';
import { admissionCheck } from './admission-check';
import { NeverFitsCause, WaitReason } from './plan';
import { pendingJobFromSpec } from './queue/pending-job-from-spec';
import { node } from '@trainyard/testing/scheduling';

const pool = () => [node('a', { gpu: 8, used: { gpu: 8 } }), node('b', { gpu: 8, schedulable: false }), node('c', { gpu: 4, pool: 'other' })];
const spec = (resource: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ kind: 'job', metadata: { name: 'x' }, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 1024 }, ...resource }, ...extra } }) as never;

describe('admission check - can the pool ever hold it', () => {
  it('judges the pool as registered: every node, empty, heartbeating or not', () => {
    expect(admissionCheck({ pool: 'default', flavor: { cpu: 1, memoryMiB: 1, gpu: 8 }, nodeCount: 2 }, pool())).toEqual({ ok: true });
  });

  it('refuses what even the empty pool cannot hold, saying why', () => {
    const flavor = { cpu: 1, memoryMiB: 1, gpu: 8 };
    expect(admissionCheck({ pool: 'default', flavor, nodeCount: 3 }, pool())).toMatchObject({ ok: false, reason: WaitReason.NeverFits, cause: NeverFitsCause.GangTooLarge, capacityInstances: 2 });
    expect(admissionCheck({ pool: 'default', flavor: { ...flavor, gpu: 9 }, nodeCount: 1 }, pool())).toMatchObject({ cause: NeverFitsCause.InstanceTooLarge, deficit: { gpu: 1 } });
    expect(admissionCheck({ pool: 'default', flavor: { ...flavor, acceleratorType: 'h100' }, nodeCount: 1 }, pool())).toMatchObject({ cause: NeverFitsCause.NoEligibleNodes, filtered: { ACCELERATOR_TYPE_MISMATCH: 2 } });
  });

  it('answers NO_NODES_IN_POOL for a pool without nodes (the service decides whether to refuse)', () => {
    expect(admissionCheck({ pool: 'nowhere', flavor: { cpu: 1, memoryMiB: 1 }, nodeCount: 1 }, pool())).toEqual({ ok: false, reason: WaitReason.NoNodesInPool });
  });

  it('takes a job spec through pendingJobFromSpec, defaults applied', () => {
    const j = pendingJobFromSpec('j', spec({ nodeCount: 4, affinityGroupSize: 2 }, { priority: 2, maxRunHours: 3 }), { queuedSeq: 7, requeued: true });
    expect(j).toEqual({ jobId: 'j', priority: 2, queuedSeq: 7, pool: 'default', flavor: { cpu: 1, memoryMiB: 1024 }, nodeCount: 4, requeued: true, affinityGroupSize: 2, maxRunHours: 3 });
    expect(pendingJobFromSpec('k', spec({}), { queuedSeq: 1 })).toEqual({ jobId: 'k', priority: 1, queuedSeq: 1, pool: 'default', flavor: { cpu: 1, memoryMiB: 1024 }, nodeCount: 1 });
    expect(admissionCheck(j, pool())).toMatchObject({ ok: false, cause: NeverFitsCause.NoEligibleNodes, filtered: { NOT_IN_SUPERNODE: 2 } });
  });
});
