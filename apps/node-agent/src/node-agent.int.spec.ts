import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Algorithm,
  type CommitMeta,
  type DomainEvent,
  event,
  type JobEvent,
  Streams,
  Subjects,
  type TaskAssignment,
  withDefaults,
} from '@trainyard/contracts';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '@trainyard/testing';
import { loadAgentConfig } from './agent-config';
import type { Heartbeat } from './heartbeat';
import { expandLogBatch, type ExpandedLogLine, type LogBatch } from '@trainyard/contracts';
import { type NodeAgentHandle, startNodeAgent } from './node-agent';
import { busReporter, ReportIntake, type TaskReporter } from '@trainyard/node-reports';

const NODE = 'node-a';
const silent = pino({ level: 'silent' });
let nats: NatsServer;
let nc: NatsConnection;
let log: JetStreamEventLog;
let dir: string;
let agent: NodeAgentHandle;
/** The control plane's side of the agents' reports (the scheduler hosts it in a cluster). */
let intake: ReportIntake;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connectNats(nats.url, 'node-agent-test');
  await ensureStreams(nc);
  log = new JetStreamEventLog(nc);
  intake = new ReportIntake(nc, log);
  intake.start();
  dir = await mkdtemp(join(tmpdir(), 'ty-agent-'));
  // Tasks run as uid 1000: they pass this dir to their homes and code, and write markers to `shared/`.
  await chmod(dir, 0o711);
  await mkdir(join(dir, 'shared'), { mode: 0o1777 });
  await chmod(join(dir, 'shared'), 0o1777);
  await mkdir(join(dir, 'code/hello'), { recursive: true });
  await writeFile(
    join(dir, 'code/hello/train.sh'),
    [
      'echo "job dir: $MA_JOB_DIR"',
      'echo "hosts: $VC_WORKER_HOSTS index: $VC_TASK_INDEX instance: $MA_CURRENT_INSTANCE_NAME"',
      'echo "pwd: $(pwd)"',
      'for a in "$@"; do echo "arg: $a"; done',
      'echo "to stderr" >&2',
      "printf 'no newline'",
    ].join('\n'),
  );
  agent = await startNodeAgent(config(NODE), { logger: silent, retryDelayMs: 100 });
});

afterAll(async () => {
  await agent?.stop();
  await intake?.stop();
  await nc?.close();
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const config = (nodeId: string) =>
  loadAgentConfig({}, { nodeId, host: '127.0.0.1', natsServers: [nats.url], workDir: join(dir, 'agents', nodeId), heartbeatMs: 50, stopGraceMs: 5000 });

const t = () => new Date().toISOString();
const meta = (commandId: string): CommitMeta => ({ commandId, correlationId: commandId, actor: 'test' });

/** What the scheduler would have committed for a one-task job: job created, queued, scheduled on NODE, then the assignment. */
async function dispatch(jobId: string, algorithm: Algorithm, nodeId = NODE): Promise<TaskAssignment> {
  const spec = withDefaults({ kind: 'job', metadata: { name: jobId }, algorithm, spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 64 } } } });
  const placements = [{ task: 'worker-0', index: 0, nodeId, host: '127.0.0.1' }];
  await log.append(
    Subjects.job(jobId),
    [
      event('JobCreated', t(), { jobId, spec, tasks: ['worker-0'], createdBy: 'user:test' }),
      event('JobQueued', t(), { priority: 1 }),
      event('JobScheduled', t(), { attempt: 1, placements }),
    ],
    meta(`submit/${jobId}`),
    0,
  );
  const assignment: TaskAssignment = {
    jobId, jobName: jobId, task: 'worker-0', index: 0, attempt: 1, scheduleCount: 1, procStartCount: 1,
    algorithm: spec.algorithm, flavor: spec.spec.resource.flavor, runtime: 'process', hosts: ['127.0.0.1'],
  };
  await assign(assignment, nodeId);
  return assignment;
}

const assign = (a: TaskAssignment, nodeId = NODE, commandId = `assign/${a.jobId}/${a.task}/${a.attempt}`) =>
  log.append(Subjects.node(nodeId), [event('TaskAssigned', t(), a)], meta(commandId), 'any');

async function jobEvents(jobId: string): Promise<JobEvent[]> {
  return (await log.read(Subjects.job(jobId))).commits.flatMap((c) => c.events) as JobEvent[];
}

/** Polls the job's history until `done` holds; the test timeout bounds the wait. */
async function until(jobId: string, done: (events: JobEvent[]) => boolean): Promise<JobEvent[]> {
  for (;;) {
    const events = await jobEvents(jobId);
    if (done(events)) return events;
    await new Promise((r) => setTimeout(r, 25));
  }
}
const has = (type: DomainEvent['type']) => (events: JobEvent[]) => events.some((e) => e.type === type);
const find = <T extends JobEvent['type']>(events: JobEvent[], type: T) => events.find((e) => e.type === type) as DomainEvent<T>;

/** Waits until the durable has delivered and had acked every commit on `subject`. */
async function consumed(durable: string, subject: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const last = (await log.read(subject)).lastSeq;
  for (;;) {
    const info = await jsm.consumers.info(Streams.events, durable).catch(() => undefined);
    if (info && info.ack_floor.stream_seq >= last && info.num_ack_pending === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function logLines(jobId: string): Promise<Array<ExpandedLogLine & { msgId?: string }>> {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(Streams.logs)).state.last_seq;
  const lines: Array<ExpandedLogLine & { msgId?: string }> = [];
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage(Streams.logs, { seq }).catch(() => null);
    if (!m?.subject.startsWith(`ty.log.${jobId}.worker-0.`)) continue;
    const batch = m.json<LogBatch>();
    lines.push(...expandLogBatch(batch).map((l) => ({ ...l, msgId: m.header?.get('Nats-Msg-Id') })));
  }
  return lines;
}

describe('node agent against nats-server', () => {
  it('node agent - registers its node and publishes heartbeats', async () => {
    const node = await log.read(Subjects.node(NODE));
    expect(node.commits[0].events[0]).toMatchObject({ type: 'NodeRegistered', data: { nodeId: NODE, host: '127.0.0.1', pool: 'default' } });
    const sub = nc.subscribe(Subjects.heartbeat(NODE), { max: 1 });
    for await (const m of sub) {
      const hb = m.json<Heartbeat>();
      expect(hb.nodeId).toBe(NODE);
      expect(Array.isArray(hb.running)).toBe(true);
    }
  });

  it('node agent - an agent stopped right after it started stops (nothing waits for a first commit)', async () => {
    const d = await startNodeAgent(config('node-d'), { logger: silent });
    await d.stop();
    await d.stop(); // idempotent
  });

  it('node agent - runs an assigned task: TaskStarted then TaskExited on the job, every line in TY_LOGS first', async () => {
    await dispatch('job-hello', {
      command: 'sh ${MA_JOB_DIR}/hello/train.sh',
      codeDir: join(dir, 'code/hello'),
      parameters: [{ name: 'epochs', value: "2; echo 'injected'" }],
    });
    const events = await until('job-hello', has('TaskExited'));
    const started = find(events, 'TaskStarted');
    const exited = find(events, 'TaskExited');
    expect(started.data).toMatchObject({ task: 'worker-0', attempt: 1, nodeId: NODE, procStartCount: 1 });
    expect(started.data.pid).toBeGreaterThan(0);
    expect(exited.data).toMatchObject({ task: 'worker-0', attempt: 1, nodeId: NODE, exitCode: 0, reason: 'exited' });
    expect(events.findIndex((e) => e.type === 'TaskStarted')).toBeLessThan(events.findIndex((e) => e.type === 'TaskExited'));
    expect(events.map((e) => e.type)).toContain('JobSucceeded');

    const history = await log.read(Subjects.job('job-hello'));
    expect(history.commits.find((c) => c.events.some((e) => e.type === 'TaskStarted'))!.meta).toMatchObject({
      commandId: 'started/job-hello/worker-0/1',
      actor: `node:${NODE}`,
      causationId: 'assign/job-hello/worker-0/1',
    });

    // Stored before TaskExited was reported: no waiting needed here.
    const lines = await logLines('job-hello');
    const jobDir = join(dir, 'agents', NODE, 'jobs/job-hello/worker-0/1/modelarts/user-job-dir');
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual([
      `job dir: ${jobDir}`,
      'hosts: 127.0.0.1 index: 0 instance: modelarts-job-job-hello-worker-0',
      `pwd: ${jobDir}`,
      "arg: --epochs=2; echo 'injected'",
      'no newline',
    ]);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(['to stderr']);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(lines[0].msgId).toBe('job-hello/worker-0/1/1');
  });

  it('node agent - a stop request ends a sleeping task with reason stopped', async () => {
    const a = await dispatch('job-sleep', { command: `trap 'echo bye; exit 0' TERM; echo sleeping; while :; do sleep 0.05; done` });
    await until('job-sleep', has('TaskStarted'));
    // What StopJob and the scheduler would commit: the job is terminating, the node is asked to stop the task.
    await log.append(Subjects.job('job-sleep'), [event('JobStopRequested', t(), { by: 'user:test', reason: 'user' })], meta('stop/job-sleep'), 'any');
    await log.append(
      Subjects.node(NODE),
      [event('TaskStopRequested', t(), { jobId: a.jobId, task: a.task, attempt: 1, graceMs: 5000, reason: 'user' })],
      meta('stop/job-sleep/worker-0/1'),
      'any',
    );
    const events = await until('job-sleep', has('TaskExited'));
    expect(find(events, 'TaskExited').data).toMatchObject({ reason: 'stopped', exitCode: 0 });
    expect(events.map((e) => e.type)).toContain('JobTerminated');
    // dash may also report the foreground sleep the group signal ended ('Terminated')
    const texts = (await logLines('job-sleep')).map((l) => l.text);
    expect([texts[0], texts.at(-1)]).toEqual(['sleeping', 'bye']);
  });

  it('node agent - a release of an attempt still running stops it; the assignment delivered again after it launches nothing (issue 19)', async () => {
    const marker = join(dir, 'shared', 'released-launches.txt');
    const a = await dispatch('job-released', { command: `echo launched >> '${marker}'; trap 'exit 0' TERM; while :; do sleep 0.05; done` });
    await until('job-released', has('TaskStarted'));
    // A node back from a partition may run what the job gave up on: the release stops it.
    await log.append(Subjects.node(NODE), [event('TaskReleased', t(), { jobId: a.jobId, task: a.task, attempt: 1 })], meta('release/job-released'), 'any');
    const events = await until('job-released', has('TaskExited'));
    expect(find(events, 'TaskExited').data).toMatchObject({ reason: 'stopped', nodeId: NODE });
    // Forgotten once over: a stray redelivery of its assignment is not a new launch.
    await assign(a, NODE, 'assign-again/job-released');
    await consumed(`agent-${NODE}`, Subjects.node(NODE));
    expect((await readFile(marker, 'utf8')).trim().split('\n')).toEqual(['launched']);
    expect((await jobEvents('job-released')).filter((e) => e.type === 'TaskStarted')).toHaveLength(1);
  });

  it('node agent - a start the job refuses (it is stopping) gets the process stopped', async () => {
    // A second agent whose start report races a stop: the job is terminating by the time it reports.
    const real = busReporter(nc, 'node-b');
    const racing: TaskReporter = {
      ...real,
      taskStarted: async (jobId, data, cause) => {
        await log.append(Subjects.job(jobId), [event('JobStopRequested', t(), { by: 'user:test', reason: 'user' })], meta(`stop/${jobId}`), 'any');
        return real.taskStarted(jobId, data, cause);
      },
    };
    const b = await startNodeAgent(config('node-b'), { logger: silent, reporter: racing });
    try {
      await dispatch('job-refused', { command: 'echo up; exec sleep 30' }, 'node-b');
      const events = await until('job-refused', has('TaskExited'));
      expect(events.map((e) => e.type)).not.toContain('TaskStarted');
      expect(find(events, 'TaskExited').data).toMatchObject({ nodeId: 'node-b', reason: 'stopped', signal: 'SIGTERM' });
      expect(events.map((e) => e.type)).toContain('JobTerminated');
    } finally {
      await b.stop();
    }
  });

  it('node agent - an assignment delivered twice is launched once', async () => {
    const marker = join(dir, 'shared', 'launches.txt');
    const a = await dispatch('job-twice', { command: `echo launched >> '${marker}'; sleep 0.2` });
    await assign(a, NODE, 'assign-again/job-twice'); // a second commit with the same assignment
    await until('job-twice', has('TaskExited'));
    // The second commit is handled after the first; a task launched from it would have exited by now too.
    const node = await log.read(Subjects.node(NODE));
    const lastSeq = node.lastSeq;
    await log.append(Subjects.node(NODE), [event('NodeRegistered', t(), { nodeId: NODE, host: '127.0.0.1', pool: 'x', capacity: { cpu: 1, memoryMiB: 1, gpu: 0, npu: 0 }, labels: {} })], meta('probe/job-twice'), lastSeq);
    await until('job-twice', () => true);
    expect((await readFile(marker, 'utf8')).trim().split('\n')).toEqual(['launched']);
    expect((await jobEvents('job-twice')).filter((e) => e.type === 'TaskStarted')).toHaveLength(1);
  });

  it('node agent - a code dir not on the node is the job\'s error: user-error naming algorithm.codeDir, W05, J08; the reason in its log (issue 9)', async () => {
    await dispatch('job-nocode', { command: 'python train.py', codeDir: join(dir, 'missing/code') });
    const events = await until('job-nocode', has('TaskExited'));
    expect(find(events, 'TaskExited').data).toMatchObject({ reason: 'user-error', exitCode: null, userError: { field: 'algorithm.codeDir', code: 'not-found' } });
    expect(find(events, 'TaskExited').data.error).toMatch(/is not a directory on this node/);
    expect(find(events, 'TaskCodeDownloadFailed').data).toMatchObject({ task: 'worker-0', field: 'algorithm.codeDir' });
    expect(find(events, 'JobFailed').data).toMatchObject({ reason: 'user-error', field: 'algorithm.codeDir' });
    expect((await logLines('job-nocode')).map((l) => [l.stream, l.text])).toEqual([
      ['stderr', expect.stringMatching(/^\[trainyard\] algorithm\.codeDir: code dir .* is not a directory/)],
    ]);
  });

  it('node agent - a command not found: exit 127 with a user error naming algorithm.command; a runtime the node lacks is the agent\'s launch-failed', async () => {
    await dispatch('job-typo', { command: 'trian.sh --lr 1' });
    const typo = await until('job-typo', has('TaskExited'));
    expect(find(typo, 'TaskExited').data).toMatchObject({ reason: 'exited', exitCode: 127, userError: { field: 'algorithm.command', code: 'command-not-found' } });
    expect(find(typo, 'TaskExited').data.userError!.message).toMatch(/trian\.sh: (?:not found|Permission denied) \(exit 127\)$/); // denied: a dir of the agent's PATH closed to uid 1000
    expect(find(typo, 'JobFailed').data).toMatchObject({ reason: 'user-error', field: 'algorithm.command' });
    expect(typo.map((e) => e.type)).not.toContain('TaskCodeDownloadFailed');

    const agentless = await startNodeAgent(config('node-r'), { logger: silent, runtimes: {} });
    try {
      await dispatch('job-noruntime', { command: 'true' }, 'node-r');
      const events = await until('job-noruntime', has('TaskExited'));
      expect(find(events, 'TaskExited').data).toMatchObject({ reason: 'launch-failed' });
      expect(find(events, 'TaskExited').data.userError).toBeUndefined();
    } finally {
      await agentless.stop();
    }
  });

  it('node agent - a process task runs as its job\'s user (1000 by default): it reads neither the agent\'s credentials nor another task\'s home (issue 11)', async () => {
    // The agent's credentials: a file of the agent's user, mode 0600, in a dir anyone may list.
    const secrets = join(dir, 'agent-secrets');
    await mkdir(secrets, { mode: 0o755 });
    await writeFile(join(secrets, 'nats.creds'), 'agent-seed-SUAEXAMPLE', { mode: 0o600 });
    await writeFile(join(secrets, 'public.txt'), 'anyone may read this', { mode: 0o644 });
    const homeA = join(dir, 'agents', NODE, 'jobs/job-uid-a/worker-0/1');
    await dispatch('job-uid-a', {
      command: [
        'id -u; id -g; echo "home=$HOME user=$USER"',
        `cat '${secrets}/nats.creds' || echo creds-denied`,
        `cat '${secrets}/public.txt'; echo`,
        'echo mine > "$MA_HOME/private.txt"',
      ].join('; '),
    });
    const a = await until('job-uid-a', has('TaskExited'));
    expect(find(a, 'TaskExited').data).toMatchObject({ exitCode: 0 });
    const linesA = await logLines('job-uid-a');
    expect(linesA.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(['1000', '1000', `home=${homeA} user=ma-user`, 'creds-denied', 'anyone may read this']);
    expect(linesA.filter((l) => l.stream === 'stderr').map((l) => l.text).join('\n')).toMatch(/nats\.creds: Permission denied/);
    const home = await stat(homeA);
    expect([home.uid, home.mode & 0o777]).toEqual([1000, 0o700]);

    // Another job's task, as another user: the first one's home and the agent's run dirs are closed to it.
    await dispatch('job-uid-b', {
      command: [
        'id -u',
        `cat '${homeA}/private.txt' || echo home-denied`,
        `ls '${join(dir, 'agents', NODE, 'launches')}' || echo launches-unlisted`,
        `ls '${join(dir, 'agents', NODE, 'log-spool')}' || echo spool-denied`,
      ].join('; '),
      userId: 1001,
    });
    await until('job-uid-b', has('TaskExited'));
    expect((await logLines('job-uid-b')).filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(['1001', 'home-denied', 'launches-unlisted', 'spool-denied']);
  });

  it('node agent - uid 0 on a pool that is not dedicated is the job\'s error naming algorithm.userId; nothing runs', async () => {
    await dispatch('job-root', { command: 'echo ran-as-root', userId: 0 });
    const events = await until('job-root', has('TaskExited'));
    expect(find(events, 'TaskExited').data).toMatchObject({ reason: 'user-error', userError: { field: 'algorithm.userId', code: 'access-denied' } });
    expect(find(events, 'TaskExited').data.userError!.message).toMatch(/uid 0 is allowed on dedicated pools only/);
    expect(find(events, 'JobFailed').data).toMatchObject({ reason: 'user-error', field: 'algorithm.userId' });
    expect((await logLines('job-root')).map((l) => l.text).join('\n')).not.toContain('ran-as-root');
  });

  it('node agent - stopping the agent stops its tasks and reports them lost; a replay after restart launches nothing again', async () => {
    const c = await startNodeAgent(config('node-c'), { logger: silent });
    let restarted: NodeAgentHandle | undefined;
    try {
      await dispatch('job-lost', { command: 'echo up; exec sleep 30' }, 'node-c');
      await until('job-lost', has('TaskStarted'));
      expect(c.running()).toMatchObject([{ jobId: 'job-lost', task: 'worker-0', attempt: 1, phase: 'running' }]);
      await c.stop();
      const events = await jobEvents('job-lost');
      expect(find(events, 'TaskExited').data).toMatchObject({ nodeId: 'node-c', reason: 'lost', signal: 'SIGTERM' });

      // Without its durable consumer the restarted agent is handed the node's whole history again.
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(Streams.events, 'agent-node-c');
      restarted = await startNodeAgent(config('node-c'), { logger: silent });
      await consumed('agent-node-c', Subjects.node('node-c'));
      expect(restarted.running()).toEqual([]);
    } finally {
      await c.stop();
      await restarted?.stop();
    }
    const events = await jobEvents('job-lost');
    expect(events.filter((e) => e.type === 'TaskStarted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'TaskExited')).toHaveLength(1);
    expect((await logLines('job-lost')).map((l) => l.text)).toEqual(['up']);
  });
});
