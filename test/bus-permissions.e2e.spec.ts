import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, nkeys, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { agentIdentity, type BusIdentity, type CommandReply, event, Streams, Subjects } from '@trainyard/contracts';
import { connectNats, credentialOptions, credentialsFile, encodeCommit, readNatsCredentials } from '@trainyard/event-log';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { exampleSpec, shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Issue 11, "a bus that trusts no message's claims", against the real nats-server 2.9 started with
 * the authorization block `bootstrapBus` (`yard admin bootstrap`) wrote: the whole cluster runs on its
 * own credentials, and each identity can do only what its permissions say.
 */
describe('bus permissions - every service and agent on its own NATS credentials', () => {
  let t: TestCluster;
  const conns: NatsConnection[] = [];
  const as = async (identity: BusIdentity) => {
    const nc = await connectNats(t.nats.url, `test-as-${identity}`, { ...credentialOptions(readNatsCredentials(credentialsFile(t.busDir!, identity))), maxReconnectAttempts: 0 });
    conns.push(nc);
    return nc;
  };
  const violation = /Permissions Violation/;

  beforeAll(async () => {
    t = await startTestCluster({}, { lockedBus: true });
  });
  afterAll(async () => {
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
    await t?.[Symbol.asyncDispose]();
  });

  it('runs the hello example to completion with every service and both agents connected as themselves', async () => {
    const submitted = await t.api.call('POST', '/v1/training-jobs', exampleSpec('hello'));
    expect(submitted.status).toBe(201);
    const done = await t.api.waitFor(submitted.body.id, 'completed');
    expect(done.tasks.map((x: any) => x.state)).toEqual(['succeeded', 'succeeded']);
    // The agents' reports were appended by the intake, as the node that sent them.
    const events = (await t.api.call('GET', `/v1/training-jobs/${submitted.body.id}/events`)).body.items as any[];
    const started = events.filter((e) => e.type === 'TaskStarted');
    expect(started).toHaveLength(2);
    const logged = (await t.api.call('GET', `/v1/training-jobs/${submitted.body.id}/tasks/worker-1/logs`)).body;
    expect(JSON.stringify(logged)).toContain('rank=1');
  });

  it('refuses a connection without credentials, and one with a key the server does not list', async () => {
    await expect(connect({ servers: t.nats.url, maxReconnectAttempts: 0 })).rejects.toThrow(/Authorization Violation/);
    const stranger = nkeys.createUser();
    await expect(connect({ servers: t.nats.url, maxReconnectAttempts: 0, authenticator: nkeyAuthenticator(stranger.getSeed()) })).rejects.toThrow(/Authorization Violation/);
  });

  it("an agent's credentials cannot consume another node's work, read a job, or take another node's durable", async () => {
    const nc = await as(agentIdentity('node-1'));
    const jsm = await jetstreamManager(nc);
    // Its own durable on its own subject is allowed (the agent has it already: this is an update).
    await expect(jsm.consumers.info(Streams.events, 'agent-node-1')).resolves.toMatchObject({ config: { filter_subject: Subjects.node('node-1') } });
    // The other node's durable, or its own durable pointed at the other node's subject.
    await expect(jsm.consumers.add(Streams.events, { durable_name: 'agent-node-2', filter_subject: Subjects.node('node-2'), ack_policy: 'explicit' as never })).rejects.toThrow(violation);
    await expect(jsm.consumers.add(Streams.events, { durable_name: 'agent-node-1', filter_subject: Subjects.node('node-2'), ack_policy: 'explicit' as never })).rejects.toThrow(violation);
    await expect(nc.request(`$JS.API.CONSUMER.MSG.NEXT.${Streams.events}.agent-node-2`, JSON.stringify({ batch: 1 }), { timeout: 2000 })).rejects.toThrow(violation);
    // No read of the log by message either, nor an ephemeral consumer on a job.
    await expect(jsm.streams.getMessage(Streams.events, { seq: 1 })).rejects.toThrow(violation);
    await expect(jsm.consumers.add(Streams.events, { name: 'peek', filter_subject: Subjects.job('any'), ack_policy: 'none' as never })).rejects.toThrow(violation);
    // A core subscription to the other node's subject is refused by the server.
    const sub = nc.subscribe(Subjects.node('node-2'));
    await expect(sub.closed).resolves.toMatchObject({ message: expect.stringMatching(violation) });
    // The agent still works: the durable consumer on its own node subject is untouched.
    await expect(jsm.consumers.info(Streams.events, 'agent-node-2')).rejects.toThrow(violation);
  });

  it("an agent's credentials cannot publish a task assignment, an event, or a report for a task that is not its own", async () => {
    const job = await t.api.call('POST', '/v1/training-jobs', shellJob('held', 'exec sleep 30'));
    expect(job.status).toBe(201);
    const running = await t.api.waitFor(job.body.id, 'running');
    const owner: string = running.tasks[0].nodeId;
    const other = owner === 'node-1' ? 'node-2' : 'node-1';
    const nc = await as(agentIdentity(other));
    const js = jetstream(nc);
    const assignment = event('TaskAssigned', new Date().toISOString(), { ...running.tasks[0], jobId: job.body.id } as never);
    const commit = encodeCommit([assignment], { commandId: 'forged/1', correlationId: 'forged/1', actor: 'scheduler' });
    // The log takes nothing from an agent: not an assignment on any node's subject, not a job event.
    for (const subject of [Subjects.node(other), Subjects.node(owner), Subjects.job(job.body.id)]) {
      await expect(js.publish(subject, commit, { timeout: 2000 }), subject).rejects.toThrow(violation);
    }
    // Reports about the other node go nowhere: its report subject is not this agent's to publish on.
    const exit = { jobId: job.body.id, data: { task: 'worker-0', attempt: running.attempt ?? 1, nodeId: owner, exitCode: 1, reason: 'exited' } };
    await expect(nc.request(Subjects.report(owner, 'exited'), JSON.stringify(exit), { timeout: 2000 })).rejects.toThrow(violation);
    // On its own subject, a report naming the other node is FORBIDDEN, and one as itself about a task
    // placed on the other node is refused by the job (the task is not its own).
    const forbidden = (await nc.request(Subjects.report(other, 'exited'), JSON.stringify(exit), { timeout: 5000 })).json<CommandReply>();
    expect(forbidden).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: [{ path: 'data.nodeId' }] } });
    const mismatch = (await nc.request(Subjects.report(other, 'exited'), JSON.stringify({ ...exit, data: { ...exit.data, nodeId: other } }), { timeout: 5000 })).json<CommandReply<any>>();
    expect(mismatch).toMatchObject({ ok: true, data: { ok: false, reason: 'NodeMismatch' } });
    // Nor does it learn about a task that is not its own: the owner is told the task's state, the
    // other node is told there is no such job.
    const view = async (node: string) => {
      const nc2 = node === other ? nc : await as(agentIdentity(owner));
      return (await nc2.request(Subjects.report(node, 'view'), JSON.stringify({ jobId: job.body.id, task: 'worker-0' }), { timeout: 5000 })).json<CommandReply<any>>();
    };
    expect(await view(owner)).toMatchObject({ ok: true, data: { jobStatus: 'running', task: { nodeId: owner, status: 'running' } } });
    expect(await view(other)).toEqual({ ok: true, data: { jobStatus: 'none' }, seq: 0 });
    // Log lines (issue 11): under the owner's node the server refuses them; under its own node the
    // log router refuses them (this node was never given the task), so the task's log stays its own.
    const lines = JSON.stringify({ v: 2, jobId: job.body.id, task: 'worker-0', attempt: 1, firstSeq: 1, t0: Date.now(), dt: [0], lines: ['forged line'] });
    await expect(js.publish(Subjects.log(job.body.id, 'worker-0', owner), lines, { timeout: 2000 })).rejects.toThrow(violation);
    await js.publish(Subjects.log(job.body.id, 'worker-0', other), lines, { msgID: 'forged-lines/1' });
    const letters = await eventually(async () => {
      const r = (await t.api.call('GET', '/v1/admin/quarantine')).body;
      const found = (r.items ?? []).filter((d: any) => String(d.message ?? '').includes(`node ${other} was never given worker-0 of job ${job.body.id}`));
      return found.length ? found : undefined;
    });
    expect(letters).toHaveLength(1);
    const text = JSON.stringify((await t.api.call('GET', `/v1/training-jobs/${job.body.id}/tasks/worker-0/logs`)).body);
    expect(text).not.toContain('forged line');
    // The task is still running: nothing of it reached the job.
    const after = (await t.api.call('GET', `/v1/training-jobs/${job.body.id}`)).body;
    expect(after.state).toBe('running');
    expect(after.tasks[0].state).toBe('running');
    await t.api.call('POST', `/v1/training-jobs/${job.body.id}/stop`, {});
    await t.api.waitFor(job.body.id, 'terminated');
  });

  it("the notifier's credentials read the log through its own durable only: it appends nothing, touches no other consumer", async () => {
    // The notifier is at work on its durable over the whole log (the hello job's commits went through it).
    const admin = await jetstreamManager(t.cluster.nc);
    await eventually(async () => ((await admin.consumers.info(Streams.events, 'notifier')).ack_floor.stream_seq > 0 ? true : undefined));
    const nc = await as('notifier');
    const js = jetstream(nc);
    const forged = encodeCommit([event('JobStarted', new Date().toISOString(), { attempt: 1 })], { commandId: 'forged/n', correlationId: 'forged/n', actor: 'notifier' });
    await expect(js.publish(Subjects.job('any'), forged, { timeout: 2000 })).rejects.toThrow();
    await expect(js.publish(Subjects.notifySubscription('00000000-0000-4000-8000-000000000000'), forged, { timeout: 2000 })).rejects.toThrow();
    await expect(nc.request(`$JS.API.CONSUMER.MSG.NEXT.${Streams.events}.agent-node-1`, JSON.stringify({ batch: 1 }), { timeout: 2000 })).rejects.toThrow(violation);
    await expect(nc.request(Subjects.command('scheduler', 'submit'), '{}', { timeout: 2000 })).rejects.toThrow();
    const jsm = await jetstreamManager(nc);
    await expect(jsm.streams.getMessage(Streams.events, { seq: 1 })).rejects.toThrow(violation);
    await expect(jsm.consumers.delete(Streams.events, 'notifier')).rejects.toThrow(violation);
  });

  it("a command sent by any identity but the API's is refused, and the API's own without its principal header", async () => {
    const submit = { commandId: 'forged-submit-1', jobId: 'forged-job', caller: { id: 'user:admin', permissions: ['job:setHighPriority'] }, spec: shellJob('forged', 'id') };
    const cordon = { commandId: 'forged-cordon-1', nodeId: 'node-1', caller: { id: 'user:admin', permissions: ['node:cordon'] } };
    for (const identity of ['scheduler', 'fault-manager', 'log-router', agentIdentity('node-1')] as BusIdentity[]) {
      const nc = await as(identity);
      await expect(nc.request(Subjects.command('scheduler', 'submit'), JSON.stringify(submit), { timeout: 2000 }), identity).rejects.toThrow(violation);
      await expect(nc.request(Subjects.command('fault-manager', 'cordon'), JSON.stringify(cordon), { timeout: 2000 }), identity).rejects.toThrow(violation);
    }
    // The API identity may publish commands, but the services take only those carrying its principal.
    const api = await as('api');
    const unsigned = (await api.request(Subjects.command('scheduler', 'submit'), JSON.stringify(submit), { timeout: 5000 })).json<CommandReply>();
    expect(unsigned).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const unsignedCordon = (await api.request(Subjects.command('fault-manager', 'cordon'), JSON.stringify(cordon), { timeout: 5000 })).json<CommandReply>();
    expect(unsignedCordon).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect((await t.api.call('GET', '/v1/training-jobs/forged-job')).status).toBe(404);
    await eventually(async () => expect((await t.api.call('GET', '/v1/nodes')).body.items.find((n: any) => n.nodeId === 'node-1')?.availability ?? 'in-service').toBe('in-service'));
  });

  it("the server refused nothing the cluster's own services and agents did: the permissions cover their work", () => {
    const log = readFileSync(join(t.busDir!, 'nats-server.log'), 'utf8');
    expect(log).toContain('Server is ready');
    // Only this file's own probes (clients named test-as-*) may have been refused.
    const refused = log.split('\n').filter((l) => /Violation/.test(l));
    expect(refused.filter((l) => !l.includes('nats.js:test-as-'))).toEqual([]);
  });
});
