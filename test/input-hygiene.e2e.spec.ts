import { INPUT_LIMITS, Subjects } from '@trainyard/contracts';
import { TEST_ADMIN_AUTH } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/** Subjects of every commit after `seq` (the log is read, not the read models). */
async function commitsAfter(t: TestCluster, seq: number): Promise<string[]> {
  const subjects: string[] = [];
  await t.cluster.eventLog.replay((c) => void subjects.push(c.subject), { fromSeq: seq + 1 });
  return subjects;
}

async function post(t: TestCluster, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.api.url}/v1/training-jobs`, { method: 'POST', headers: { ...TEST_ADMIN_AUTH, 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as any };
}

describe('input hygiene - what a store cannot hold is refused at the edge', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster();
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('refuses a NUL byte in the command with 400 naming the field, and the log gets no commit', async () => {
    const before = await t.cluster.eventLog.lastSeq();
    const r = await post(t, JSON.stringify(shellJob('nul', '\u0000')));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details).toEqual([expect.objectContaining({ path: 'algorithm.command', code: 'INVALID_TEXT' })]);
    // The same spec straight on the bus: the scheduler refuses it too, with the path into the command.
    const reply = await t.cluster.nc.request(Subjects.command('scheduler', 'submit'), JSON.stringify({
      commandId: 'bus-nul', jobId: 'bus-nul', caller: { id: 'user:bus', permissions: [] }, spec: shellJob('nul', '\u0000'),
    }));
    expect(reply.json()).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', details: [{ path: 'spec.algorithm.command', code: 'INVALID_TEXT' }] } });
    expect((await commitsAfter(t, before)).filter((s) => s.startsWith('ty.ev.job.'))).toEqual([]);
    // The control plane is unharmed: the next job runs.
    const ok = await t.api.call('POST', '/v1/training-jobs', shellJob('after-nul', 'echo fine'));
    expect(ok.status).toBe(201);
    await t.api.waitFor(ok.body.id, 'completed');
  });

  it("refuses the issue's 70,000-character name and an unpaired surrogate, each at its path", async () => {
    const long = await t.api.call('POST', '/v1/training-jobs', shellJob('x'.repeat(70_000), 'true'));
    expect(long.status).toBe(400);
    expect(long.body.error.details).toEqual([expect.objectContaining({ path: 'metadata.name', code: 'TOO_LONG', rule: 'V1' })]);
    const lone = await post(t, JSON.stringify(shellJob('lone', 'true', 1)).replace('"lone"', '"lo\\ud800ne"'));
    expect(lone.status).toBe(400);
    expect(lone.body.error.details).toEqual([expect.objectContaining({ path: 'metadata.name', code: 'INVALID_TEXT' })]);
  });

  it('names a prototype key by its path (Fastify would only say "not valid JSON")', async () => {
    const r = await post(t, JSON.stringify(shellJob('proto', 'true')).replace('"algorithm":{', '"algorithm":{"__proto__":{"polluted":1},'));
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'algorithm.__proto__', code: 'FORBIDDEN_KEY' })]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const r = await post(t, JSON.stringify(shellJob('big', 'x'.repeat(INPUT_LIMITS.bodyBytes))));
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: [{ path: '', code: 'TOO_LONG' }] });
  });

  it('checks path and query parameters and the Idempotency-Key header too', async () => {
    const job = await t.api.call('POST', '/v1/training-jobs', shellJob('q', 'echo hi'));
    const search = await t.api.call('GET', `/v1/training-jobs/${job.body.id}/logs/search?q=${encodeURIComponent('a\u0000b')}`);
    expect(search.status).toBe(400);
    expect(search.body.error.details).toEqual([expect.objectContaining({ path: 'q', code: 'INVALID_TEXT' })]);
    const id = await t.api.call('GET', '/v1/training-jobs/a%00b');
    expect(id.status).toBe(400);
    expect(id.body.error.details[0]).toMatchObject({ path: 'id', code: 'INVALID_TEXT' });
    const key = await post(t, JSON.stringify(shellJob('k', 'true')), { 'idempotency-key': 'k'.repeat(256) });
    expect(key.status).toBe(400);
    expect(key.body.error.details).toEqual([expect.objectContaining({ path: 'Idempotency-Key' })]);
    const reason = await t.api.call('POST', '/v1/nodes/node-1/cordon', { reason: 'r'.repeat(501) });
    expect(reason.status).toBe(400);
    expect(reason.body.error.details).toEqual([expect.objectContaining({ path: 'reason', code: 'TOO_LONG' })]);
  });
});
