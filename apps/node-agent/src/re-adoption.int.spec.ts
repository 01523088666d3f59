import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type Algorithm,
  type CommitMeta,
  event,
  expandLogBatch,
  type JobEvent,
  type LogBatch,
  Streams,
  Subjects,
  type TaskAssignment,
  withDefaults,
} from '@trainyard/contracts';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { startNatsServer, type NatsServer } from '@trainyard/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from './agent-config';
import { requireContainerEngine, TEST_IMAGE, TEST_SOCKET } from './container-runtime.fixture';
import { LaunchRecords, processStartTicks } from './launch-record';
import { ReportIntake } from '@trainyard/node-reports';
import { type NodeAgentHandle, startNodeAgent } from './node-agent';

const NODE = 'node-r';
/** Container names derive from node, job and attempt: unique ids keep runs of this file apart. */
const run = Math.random().toString(36).slice(2, 8);
const silent = pino({ level: process.env.DEBUG_AGENT ? 'info' : 'silent' });
let nats: NatsServer;
let nc: NatsConnection;
let log: JetStreamEventLog;
let intake: ReportIntake;
let dir: string;

/** An agent that leaves its tasks running when stopped: its stop is the in-process stand-in for a crash. */
const start = () =>
  startNodeAgent(
    loadAgentConfig({}, {
      nodeId: NODE, host: '127.0.0.1', natsServers: [nats.url], workDir: join(dir, NODE), heartbeatMs: 100, stopGraceMs: 5000,
      onShutdown: 'leave-tasks', container: { socketPath: TEST_SOCKET, shmSizeBytes: 2 ** 26 },
    }),
    { logger: silent, retryDelayMs: 100 },
  );

beforeAll(async () => {
  await requireContainerEngine();
  nats = await startNatsServer();
  nc = await connectNats(nats.url, 're-adoption-test');
  await ensureStreams(nc);
  log = new JetStreamEventLog(nc);
  // The control plane's side of the agents' reports (the scheduler hosts it in a cluster).
  intake = new ReportIntake(nc, log);
  intake.start();
  dir = await mkdtemp(join(tmpdir(), 'ty-readopt-'));
  await chmod(dir, 0o711); // tasks run as uid 1000 and pass it to their homes
});
afterAll(async () => {
  await intake?.stop();
  await nc?.close();
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const t = () => new Date().toISOString();
const meta = (commandId: string): CommitMeta => ({ commandId, correlationId: commandId, actor: 'test' });

async function dispatch(jobId: string, algorithm: Algorithm, runtime: TaskAssignment['runtime'] = 'process'): Promise<TaskAssignment> {
  const spec = withDefaults({ kind: 'job', metadata: { name: jobId }, algorithm, spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 64 } }, runtime } });
  const placements = [{ task: 'worker-0', index: 0, nodeId: NODE, host: '127.0.0.1' }];
  await log.append(
    Subjects.job(jobId),
    [event('JobCreated', t(), { jobId, spec, tasks: ['worker-0'], createdBy: 'user:test' }), event('JobQueued', t(), { priority: 1 }), event('JobScheduled', t(), { attempt: 1, placements })],
    meta(`submit/${jobId}`),
    0,
  );
  const a: TaskAssignment = {
    jobId, jobName: jobId, task: 'worker-0', index: 0, attempt: 1, scheduleCount: 1, procStartCount: 1,
    algorithm: spec.algorithm, flavor: spec.spec.resource.flavor, runtime, hosts: ['127.0.0.1'],
  };
  await log.append(Subjects.node(NODE), [event('TaskAssigned', t(), a)], meta(`assign/${jobId}`), 'any');
  return a;
}

const jobEvents = async (jobId: string) => (await log.read(Subjects.job(jobId))).commits.flatMap((c) => c.events) as JobEvent[];
async function until(jobId: string, done: (events: JobEvent[]) => boolean): Promise<JobEvent[]> {
  for (;;) {
    const events = await jobEvents(jobId);
    if (done(events)) return events;
    await new Promise((r) => setTimeout(r, 25));
  }
}
const count = (events: JobEvent[], type: JobEvent['type']) => events.filter((e) => e.type === type).length;

/** Every line TY_LOGS holds for the task, in stream order: a line shipped twice would show twice. */
async function logLines(jobId: string) {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(Streams.logs)).state.last_seq;
  const lines: { seq: number; text: string }[] = [];
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage(Streams.logs, { seq }).catch(() => null);
    if (m?.subject === Subjects.log(jobId, 'worker-0', NODE)) lines.push(...expandLogBatch(m.json<LogBatch>()).map((l) => ({ seq: l.seq, text: String(l.text) })));
  }
  return lines;
}
const untilLines = async (jobId: string, n: number) => {
  for (;;) {
    const lines = await logLines(jobId);
    if (lines.length >= n) return lines;
    await new Promise((r) => setTimeout(r, 25));
  }
};

const TICKS = 'i=1; while [ $i -le 12 ]; do echo "tick $i"; sleep 0.1; i=$((i+1)); done; exit 6';
const ticked = Array.from({ length: 12 }, (_, i) => ({ seq: i + 1, text: `tick ${i + 1}` }));

describe('re-adoption - an agent that went away follows its tasks again', () => {
  let agent: NodeAgentHandle | undefined;
  afterAll(async () => {
    await agent?.stop();
  });

  for (const runtime of ['process', 'container'] as const) {
    it(`re-adoption - a ${runtime} task outlives its agent; the next agent reports its real exit once, and every line is in the log once`, async () => {
      agent = await start();
      const jobId = `job-${runtime}-${run}`;
      await dispatch(jobId, runtime === 'container' ? { command: TICKS, image: TEST_IMAGE } : { command: TICKS }, runtime);
      const started = await until(jobId, (e) => count(e, 'TaskStarted') === 1);
      await untilLines(jobId, 3);
      await agent.stop(); // leaves the task running, as a crash would
      if (runtime === 'process') {
        const pid = started.find((e) => e.type === 'TaskStarted')!.data as { pid?: number };
        expect(await processStartTicks(pid.pid!)).toBeDefined();
      }
      await new Promise((r) => setTimeout(r, 400));
      agent = await start();
      const events = await until(jobId, (e) => count(e, 'TaskExited') === 1);
      expect(count(events, 'TaskStarted')).toBe(1);
      expect(events.find((e) => e.type === 'TaskExited')!.data).toMatchObject({ reason: 'exited', exitCode: 6, nodeId: NODE });
      expect(await untilLines(jobId, 12)).toEqual(ticked);
      await agent.stop();
      agent = undefined;
    });
  }

  it('re-adoption - a stop ordered while the agent was away reaches the task once it is back, and the exit says stopped', async () => {
    agent = await start();
    const stopJob = `job-stop-${run}`;
    const a = await dispatch(stopJob, { command: `trap 'echo bye; exit 0' TERM; echo up; while :; do sleep 0.05; done` });
    await until(stopJob, (e) => count(e, 'TaskStarted') === 1);
    await untilLines(stopJob, 1);
    await agent.stop();
    await log.append(Subjects.job(stopJob), [event('JobStopRequested', t(), { by: 'user:test', reason: 'user' })], meta(`stop/${stopJob}`), 'any');
    await log.append(Subjects.node(NODE), [event('TaskStopRequested', t(), { jobId: a.jobId, task: a.task, attempt: 1, graceMs: 5000, reason: 'user' })], meta(`stop/${stopJob}/worker-0/1`), 'any');
    agent = await start();
    const events = await until(stopJob, (e) => count(e, 'TaskExited') === 1);
    expect(events.find((e) => e.type === 'TaskExited')!.data).toMatchObject({ reason: 'stopped', exitCode: 0 });
    expect(events.map((e) => e.type)).toContain('JobTerminated');
    // dash may also report the foreground sleep the TERM ended ('Terminated') before the trap's line.
    const texts = (await untilLines(stopJob, 2)).map((l) => l.text);
    expect([texts[0], texts.at(-1)]).toEqual(['up', 'bye']);
  });

  it('re-adoption - an attempt whose command never ran (the agent died after its record, before the spawn) is launched again, same attempt, once (issue 9)', async () => {
    await agent?.stop();
    const jobId = `job-relaunch-${run}`;
    const a = await dispatch(jobId, { command: 'echo "start $MA_PROC_START_CNT"' });
    // What the earlier run left: the launch record, and no process (it died before spawning one).
    const records = new LaunchRecords(join(dir, NODE));
    await records.write({ jobId, task: 'worker-0', attempt: 1, launchedAt: t(), runtime: 'process', assignment: a, cause: meta(`assign/${jobId}`) });
    agent = await start();
    const events = await until(jobId, (e) => count(e, 'JobSucceeded') === 1);
    expect(count(events, 'TaskStarted')).toBe(1);
    expect(events.find((e) => e.type === 'TaskExited')!.data).toMatchObject({ reason: 'exited', exitCode: 0 });
    expect(await untilLines(jobId, 1)).toEqual([{ seq: 1, text: 'start 1' }]);
    expect(await records.read({ jobId, task: 'worker-0', attempt: 1 })).toMatchObject({ relaunches: 1, exitReported: true });
    await agent.stop();

    // Lost again before it ran: the platform gave its one relaunch already, so the job's policy decides.
    const again = `job-relaunched-${run}`;
    const b = await dispatch(again, { command: 'echo never' });
    await records.write({ jobId: again, task: 'worker-0', attempt: 1, launchedAt: t(), runtime: 'process', assignment: b, relaunches: 1 });
    agent = await start();
    const lost = await until(again, (e) => count(e, 'TaskExited') === 1);
    expect(lost.find((e) => e.type === 'TaskExited')!.data).toMatchObject({ reason: 'lost' });
    expect(count(lost, 'TaskStarted')).toBe(0);
    await agent.stop();
    agent = undefined;
  });
});
