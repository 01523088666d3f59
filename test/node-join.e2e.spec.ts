import { jetstreamManager } from '@nats-io/jetstream';
import { Streams, Subjects } from '@trainyard/contracts';
import { decodeCommit } from '@trainyard/event-log';
import { passableTempDir } from '@trainyard/testing';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { buildServicesOnce, startService, yard, type ServiceProcess } from './support/processes';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Issue 12, "joining a node": an admin's `yard admin node join-token` and an agent process started
 * with `--join <api> --token T` on a machine holding no Trainyard file at all. The agent fetches its
 * node's NATS credentials from the API, connects to the locked bus as that node, registers and runs
 * work; the token is spent and recorded, and a restart needs no token.
 */
describe('joining a node with a token', () => {
  let t: TestCluster;
  let agentData: string;
  let agent: ServiceProcess | undefined;
  const agentEnv = () => ({
    TY_NATS_URL: t.nats.url,
    TY_DATA_DIR: agentData,
    TY_NODE_WORK_DIR: join(agentData, 'work'),
    TY_NODE_CPU: '2',
    TY_NODE_MEMORY_MIB: '2048',
    TY_NODE_GPU: '0',
    TY_HEARTBEAT_MS: '500',
    TY_TASK_USER: 'agent',
    TY_METRICS_PORT: 'off',
    // Nothing of the cluster's on this "machine": no TY_NODE_ID, no TY_NATS_CREDENTIALS.
    TY_NODE_ID: '',
    TY_NATS_CREDENTIALS: '',
  });

  beforeAll(async () => {
    buildServicesOnce();
    // The control plane alone, on a locked bus whose bootstrap knows node-join; no agent runs yet.
    t = await startTestCluster({ agents: [] }, { lockedBus: true, extraNodes: ['node-join'] });
    agentData = passableTempDir('trainyard-join-');
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await t?.[Symbol.asyncDispose]();
    if (agentData) rmSync(agentData, { recursive: true, force: true });
  });

  it('an admin makes a join token only for a node the bootstrap knows', async () => {
    const unknown = await t.api.call('POST', '/v1/admin/node-join-tokens', { nodeId: 'node-nowhere' });
    expect(unknown.status).toBe(409);
    expect(unknown.body.error).toMatchObject({ code: 'ILLEGAL_STATE', details: [{ path: 'nodeId' }] });
    expect(unknown.body.error.message).toContain('yard admin bootstrap --nodes node-nowhere');
    const bad = await t.api.call('POST', '/v1/admin/node-join-tokens', { nodeId: 'no.dots', expiresInSeconds: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.path).sort()).toEqual(['expiresInSeconds', 'nodeId']);
  });

  it('the agent joins with --join/--token, registers as the node, runs a job; the token is spent and in the log', async () => {
    const made = await yard(['admin', 'node', 'join-token', '--node', 'node-join', '--expires', '10m', '-o', 'json'], t.cluster.apiUrl);
    expect(made.code, made.stderr).toBe(0);
    const { token, tokenId, nodeId } = JSON.parse(made.stdout);
    expect(nodeId).toBe('node-join');
    expect(token).toMatch(/^tyj_/);

    agent = await startService('agent', 'node-agent', agentEnv(), /node agent ready/, ['--join', t.cluster.apiUrl, '--token', token]);
    expect(agent.output()).toContain(`joined as node node-join; credentials in ${join(agentData, 'nats.creds.json')}`);
    const file = join(agentData, 'nats.creds.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ identity: 'agent-node-join', seed: expect.stringMatching(/^SU/) });

    const registered = await eventually(async () => {
      const nodes = (await t.api.call('GET', '/v1/nodes')).body.items as any[];
      return nodes.find((n) => (n.id ?? n.nodeId) === 'node-join');
    });
    expect(registered).toMatchObject({ capacity: { cpu: 2 } });
    const job = await t.api.call('POST', '/v1/training-jobs', shellJob('on-the-joined-node', 'echo hello from $(hostname)'));
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const done = await t.api.waitFor(job.body.id, 'completed');
    expect(done.tasks.map((x: any) => x.state)).toEqual(['succeeded']);

    // Spent: a second use is refused, and both steps are events of the log.
    const again = await t.api.as(null).call('POST', '/v1/nodes/join', { token });
    expect(again.status).toBe(401);
    expect(again.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'join token refused (spent)', details: [{ path: 'token' }] });
    const jsm = await jetstreamManager(t.cluster.nc);
    const msg = await jsm.streams.getMessage(Streams.events, { last_by_subj: Subjects.iamJoinToken(tokenId) });
    const types: string[] = [];
    for (let seq = 1; seq <= msg!.seq; seq++) {
      const m = await jsm.streams.getMessage(Streams.events, { seq }).catch(() => null);
      if (m?.subject === Subjects.iamJoinToken(tokenId)) types.push(...decodeCommit(m.subject, m.seq, m.data).events.map((e) => e.type));
    }
    expect(types).toEqual(['NodeJoinTokenIssued', 'NodeJoinTokenRedeemed']);
  });

  it('a restart with the same flags uses the saved credentials: no token is spent again', async () => {
    await agent!.stop();
    agent = await startService('agent', 'node-agent', agentEnv(), /node agent ready/, ['--join', t.cluster.apiUrl, '--token', `tyj_${'a'.repeat(12)}_${'b'.repeat(43)}`]);
    expect(agent.output()).toContain(`already joined as node node-join (${join(agentData, 'nats.creds.json')})`);
    expect(existsSync(join(agentData, 'nats.creds.json'))).toBe(true);
  });
});
