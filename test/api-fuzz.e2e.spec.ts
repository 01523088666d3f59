import { INVALID_SUBMISSIONS, type InvalidSubmission } from '@trainyard/testing/contracts';
import { TEST_ADMIN_AUTH } from '@trainyard/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/** Runs per generator: 2 100 invalid submissions in all. */
const RUNS: Record<keyof typeof INVALID_SUBMISSIONS, number> = {
  unstorableText: 400, overLongField: 250, wrongType: 250, hugeCollection: 150, badAnnotation: 200,
  prototypeKey: 250, deepNesting: 150, notJsonObject: 300, badIdempotencyKey: 100, oversizedBody: 50,
};

describe('API fuzz - generated invalid submissions against the running API', () => {
  let t: TestCluster;
  let before = 0;
  let sent = 0;
  beforeAll(async () => {
    t = await startTestCluster();
    before = await t.cluster.eventLog.lastSeq();
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  async function submit(s: InvalidSubmission) {
    sent++;
    const res = await fetch(`${t.api.url}/v1/training-jobs`, {
      method: 'POST',
      headers: { ...TEST_ADMIN_AUTH, 'content-type': s.contentType, ...s.headers },
      body: s.body,
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as { error?: { code?: unknown; details?: { path?: unknown; code?: unknown }[] } } };
  }

  for (const [name, arbitrary] of Object.entries(INVALID_SUBMISSIONS)) {
    // The generators run side by side: the API takes them concurrently, as it would from many clients.
    it.concurrent(`${name}: never a 5xx, always the expected 4xx naming a field path`, async ({ expect }) => {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (s) => {
          const r = await submit(s);
          expect(r.status, `${s.kind}: ${String(s.body).slice(0, 200)}`).toBe(s.expect.status);
          const details = r.body.error?.details ?? [];
          expect(typeof r.body.error?.code).toBe('string');
          expect(details.length).toBeGreaterThan(0);
          for (const d of details) {
            expect(typeof d.path).toBe('string');
            expect(typeof d.code).toBe('string');
          }
          expect(details.some((d) => (d.path as string).startsWith(s.expect.path)), JSON.stringify(details).slice(0, 500)).toBe(true);
        }),
        { numRuns: RUNS[name as keyof typeof RUNS] },
      );
    });
  }

  it('appended no commit for any refused submission, and a valid job afterwards completes', async () => {
    expect(sent).toBeGreaterThanOrEqual(2_000);
    const jobCommits: string[] = [];
    await t.cluster.eventLog.replay((c) => void (c.subject.startsWith('ty.ev.job.') && jobCommits.push(c.subject)), { fromSeq: before + 1 });
    expect(jobCommits).toEqual([]);
    const ok = await t.api.call('POST', '/v1/training-jobs', shellJob('after-fuzz', 'echo still standing'));
    expect(ok.status).toBe(201);
    await t.api.waitFor(ok.body.id, 'completed');
  });
});
