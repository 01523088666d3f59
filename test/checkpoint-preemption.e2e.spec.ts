import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writableTempDir } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { buildOnce } from './support/processes';
import { checkpointingScript, shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Checkpoint-aware preemption end to end (issue 16), on two 2-cpu agents with whole-node jobs: the
 * victim gets the notice as SIGTERM and as `MA_PREEMPTION_NOTICE_FILE`, writes its checkpoint and
 * acknowledges it in `MA_CHECKPOINT_ACK_FILE`, and is stopped at once — long before the 60 s grace —
 * re-queued, and resumes from its checkpoint once the preemptor is done; no retry budget is used.
 */
describe('checkpoint-aware preemption', () => {
  let t: TestCluster;
  let ckpt: string;
  const GRACE_MS = 60_000;

  beforeAll(async () => {
    buildOnce();
    ckpt = writableTempDir('ty-ckpt-'); // the task (uid 1000) writes its checkpoints here
    t = await startTestCluster({
      scheduler: {
        heartbeatTimeoutMs: 3_000, stopGraceMs: 2_000, tickMs: 100, hourMs: 3_600_000,
        minRunMs: 1_000, preemptGraceMs: GRACE_MS, requeueTimeoutMs: 120_000, preemptionCycleWindowMs: 3_600_000,
        lease: { bucket: 'TY_LEADER', key: 'scheduler', ttlMs: 1_500 },
      },
    });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    rmSync(ckpt, { recursive: true, force: true });
  });

  const submit = async (spec: unknown) => {
    const r = await t.api.call('POST', '/v1/training-jobs', spec);
    if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  };
  const events = async (id: string) => (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as any[];
  const logs = async (id: string, task: string) =>
    ((await t.api.call('GET', `/v1/training-jobs/${id}/tasks/${task}/logs?limit=10000`)).body.items as any[]).map((l) => l.text as string);

  it('notice by signal and file, checkpoint acknowledged, stopped at once, re-queued, resumed; no retry used', async () => {
    // SIGTERM is ignored on purpose: only the acknowledgement can end this task before the grace.
    const script = checkpointingScript();
    const low = shellJob('low', script, 2, { preemptible: true });
    low.spec.resource.flavor = { cpu: 2, memoryMiB: 256 };
    low.algorithm.environments = { CKPT_DIR: ckpt };
    const lowId = await submit(low);
    await t.api.waitFor(lowId, 'running');
    // The first acknowledgement (step 0) is reported before any preemption: the job's newest checkpoint.
    await eventually(async () => ((await events(lowId)).some((e) => e.type === 'TaskCheckpointed') ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 1_200)); // past the minimum run time

    const high = shellJob('high', 'sleep 1', 2, { priority: 3 });
    high.spec.resource.flavor = { cpu: 2, memoryMiB: 256 };
    const highId = await submit(high);

    const requeued = await eventually(async () => {
      const j = (await t.api.call('GET', `/v1/training-jobs/${lowId}`)).body;
      return j.state === 'waiting' && j.requeue === 'preemption' ? j : undefined;
    }, 30_000);
    expect(requeued).toMatchObject({ preemptedBy: highId, attempt: 1 });

    const ev = await events(lowId);
    const preempted = ev.find((e) => e.type === 'JobPreempted');
    expect(preempted).toMatchObject({ data: { by: highId, byPriority: 3, graceMs: GRACE_MS } });
    const exits = ev.filter((e) => e.type === 'TaskExited' && e.data.attempt === 1);
    expect(exits.map((e) => e.data.reason)).toEqual(['stopped', 'stopped']);
    // Stopped on the acknowledgement, not at the end of the 60 s grace (SIGKILL: the script ignores TERM).
    for (const e of exits) {
      expect(Date.parse(e.time) - Date.parse(preempted.time)).toBeLessThan(15_000);
      expect(e.data.signal).toBe('SIGKILL');
    }
    const acked = ev.filter((e) => e.type === 'TaskCheckpointed' && Date.parse(e.time) >= Date.parse(preempted.time));
    expect(acked.map((e) => e.task).sort()).toEqual(['worker-0', 'worker-1']);
    // Both ranks saw the notice file (who and until when) and the signal.
    for (const task of ['worker-0', 'worker-1']) {
      const lines = await logs(lowId, task);
      expect(lines.some((l) => l.includes('got SIGTERM'))).toBe(true);
      const notice = lines.find((l) => l.startsWith('notice: '));
      expect(JSON.parse(notice!.slice('notice: '.length))).toMatchObject({ preemptedBy: highId, graceSeconds: GRACE_MS / 1000 });
    }

    // The preemptor runs; then the victim resumes from its checkpoint (attempt 2).
    await t.api.waitFor(highId, 'completed', 30_000);
    const again = await t.api.waitFor(lowId, 'running', 30_000);
    expect(again.attempt).toBe(2);
    const resumed = await eventually(async () => (await logs(lowId, 'worker-0')).find((l) => l.startsWith('resumed from step')), 15_000);
    expect(Number(/step (\d+)/.exec(resumed!)![1])).toBeGreaterThan(0);

    // A preemption is not a fault: no recovery decision, the retry budget untouched.
    const all = await events(lowId);
    expect(all.filter((e) => e.type === 'RecoveryDecided' || e.type === 'JobRestarted')).toEqual([]);
    expect(all.filter((e) => e.type === 'JobPreempted')).toHaveLength(1);
    await t.api.call('POST', `/v1/training-jobs/${lowId}/stop`);
    await t.api.waitFor(lowId, 'terminated', 30_000);
  }, 180_000);
});
