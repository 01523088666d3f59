import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { event, Subjects, withDefaults } from '@trainyard/contracts';
import { encodeCommit } from '@trainyard/event-log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { buildOnce, yard } from './support/processes';
import { samples } from './support/prometheus';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Finding 1 of issue 9: one commit the projector could not apply stopped the control plane (retried
 * forever; every later submit answered 500). Here such commits are injected straight into TY_EVENTS
 * with the real JetStream client, bypassing every API check: a known event type whose data
 * PostgreSQL refuses, and bytes that are not a commit at all.
 */
describe('poison messages - a commit the projector cannot apply is quarantined and the control plane goes on', () => {
  let t: TestCluster;
  beforeAll(async () => {
    buildOnce(); // the yard CLI runs from dist/
    t = await startTestCluster();
  }, 180_000);
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('quarantines them with their errors, says degraded in /healthz, /metrics and verify, and the next job completes', async () => {
    expect((await t.api.call('GET', '/healthz')).body).toMatchObject({ status: 'ok', reasons: [] });
    const js = jetstream(t.cluster.nc);

    // What the API used to accept (finding 1): JobCreated + JobQueued, known events, with a NUL in the
    // spec that PostgreSQL cannot store (22021 in text, 22P05 in jsonb). The scheduler and the agent
    // take the job on; only the projector cannot.
    const poisoned = randomUUID();
    const spec = withDefaults(shellJob('poisoned', '\u0000'));
    spec.metadata.description = 'nul \u0000 inside';
    const meta = { commandId: `inject-${poisoned}`, correlationId: poisoned, actor: 'user:mallory' };
    const created = event('JobCreated', new Date().toISOString(), { jobId: poisoned, spec, tasks: ['worker-0'], createdBy: 'user:mallory' });
    const queued = event('JobQueued', new Date().toISOString(), { priority: 1 });
    const { seq: poisonSeq } = await js.publish(Subjects.job(poisoned), encodeCommit([created, queued], meta));
    const { seq: garbageSeq } = await js.publish(Subjects.job(randomUUID()), new TextEncoder().encode('{"events": [oops'));

    const health = await eventually(async () => {
      const h = (await t.api.call('GET', '/healthz')).body;
      return h.quarantine?.count === 2 ? h : undefined;
    }, 30_000);
    expect(health.status).toBe('degraded');
    expect(health.projection).toMatchObject({ failing: null, quarantined: 2 });
    expect(health.projection.position).toBeGreaterThanOrEqual(garbageSeq);
    expect(health.quarantine.latest).toMatchObject({ consumer: 'projection:read-models', stream: 'TY_EVENTS', seq: garbageSeq, code: 'MalformedCommit' });
    expect(health.reasons).toEqual([expect.stringMatching(new RegExp(`^2 message\\(s\\) quarantined; latest db:\\d+: TY_EVENTS seq ${garbageSeq} `))]);

    const listed = (await t.api.call('GET', '/v1/admin/quarantine')).body.items;
    expect(listed.map((l: any) => [l.seq, l.subject, l.state])).toEqual([
      [garbageSeq, expect.stringMatching(/^ty\.ev\.job\./), 'quarantined'],
      [poisonSeq, Subjects.job(poisoned), 'quarantined'],
    ]);
    expect(listed[1]).toMatchObject({ code: expect.stringMatching(/^22/), attempts: 3, retryable: true });
    expect(listed[0]).toMatchObject({ attempts: 1, payloadBytes: '{"events": [oops'.length });

    const metrics = await (await fetch(`${t.api.url}/metrics`, { headers: t.api.auth })).text();
    expect(samples(metrics, 'trainyard_dead_letters_total', { consumer: 'projection:read-models', code: 'MalformedCommit' })).toEqual([1]);
    expect(samples(metrics, 'trainyard_dead_letters_total', { consumer: 'projection:read-models', code: listed[1].code })).toEqual([1]);
    expect(samples(metrics, 'trainyard_dead_letters', { consumer: 'projection:read-models' })).toEqual([2]);

    // The control plane goes on: a job submitted through the API is accepted, runs and is readable.
    const submitted = await t.api.call('POST', '/v1/training-jobs', shellJob('after-poison', 'echo still here', 2));
    expect(submitted.status).toBe(201);
    const done = await t.api.waitFor(submitted.body.id, 'completed');
    expect(done.tasks.map((x: any) => x.state)).toEqual(['succeeded', 'succeeded']);
    const events = (await t.api.call('GET', `/v1/training-jobs/${submitted.body.id}/events`)).body.items.map((e: any) => e.type);
    expect(events.at(-1)).toBe('JobSucceeded');
    const logs = await eventually(async () => {
      const r = await t.api.call('GET', `/v1/training-jobs/${submitted.body.id}/tasks/worker-0/logs`);
      return r.body.items.length ? r.body.items.map((l: any) => l.text) : undefined;
    });
    expect(logs).toEqual(['still here']);
    expect((await t.api.call('GET', `/v1/training-jobs/${poisoned}`)).status).toBe(404);
    // The rest of the platform dealt with the poisoned job (its command cannot be started); the
    // projector applied its later commits (there is no row for them to change) and quarantined nothing more.
    await eventually(async () => {
      const { commits } = await t.cluster.eventLog.read(Subjects.job(poisoned));
      return commits.some((c) => c.events.some((e) => e.type === 'JobFailed')) ? true : undefined;
    }, 60_000);
    await t.cluster.projector.waitFor(await t.cluster.eventLog.lastSeq(), 10_000);
    expect((await t.api.call('GET', '/healthz')).body.quarantine.count).toBe(2);

    // The operator's view: yard lists them; a rebuild equals the live tables (both skip the same
    // commits) and says the read models are degraded.
    const list = await yard(['admin', 'quarantine'], t.api.url);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`TY_EVENTS:${poisonSeq}`);
    expect(list.stdout).toContain(`TY_EVENTS:${garbageSeq}`);
    const verify = await yard(['admin', 'rebuild', '--verify'], t.api.url);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^Projections verified/);
    expect(verify.stdout).toContain(`Degraded: 2 message(s) quarantined. The read models lack commit(s) ${poisonSeq}, ${garbageSeq}, and so does the rebuild.`);

    // A retry of the NUL commit fails the same way (nothing to fix it with); dismissing both accepts the loss.
    const retry = await yard(['admin', 'quarantine', 'retry', listed[1].id], t.api.url);
    expect(retry.code).toBe(1);
    expect(retry.stdout).toContain('still failing');
    for (const l of listed) expect((await yard(['admin', 'quarantine', 'dismiss', l.id, '--reason', 'injected by the e2e test'], t.api.url)).code).toBe(0);
    expect((await t.api.call('GET', '/healthz')).body).toMatchObject({ status: 'ok', reasons: [], quarantine: { count: 0 } });
    const after = (await t.api.call('POST', '/v1/admin/projections/verify')).body;
    expect(after).toMatchObject({ equal: true, differences: [], degraded: false, quarantined: [] });
  });
});
