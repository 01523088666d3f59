import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { event, type LogStoredNotice, Streams, Subjects } from '@trainyard/contracts';
import {
  createDatabase, getDeadLetter, listDeadLetters, listLogAttempts, migrate, readLogCheckpoint, readLogLines, retryDeadLetter, type DatabaseHandle,
} from '@trainyard/db';
import { sql } from 'kysely';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { freshSchema, startNatsServer, type FreshSchema, type NatsServer } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetStreamLogPublish, LogShipper } from '../../node-agent/src/index';
import { startLogRouterService, type LogRouterService } from './log-router-service';

let nats: NatsServer;
let schema: FreshSchema;
let database: DatabaseHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  schema = await freshSchema();
  database = createDatabase({ url: schema.url, schema: schema.schema });
  await migrate(database.db, database.schema);
  nc = await connectNats(nats.url, 'log-router-test');
  await ensureStreams(nc);
});
afterAll(async () => {
  await nc?.close();
  await database?.close();
  await schema?.drop();
  await nats?.stop();
});

/** What the scheduler commits before any agent runs a task: the router stores a node's lines only for its tasks. */
async function placed(jobId: string, tasks: string[], nodeId = 'node-1') {
  const placements = tasks.map((task, index) => ({ task, index, nodeId, host: '127.0.0.1' }));
  await new JetStreamEventLog(nc).append(Subjects.job(jobId), [event('JobScheduled', new Date().toISOString(), { attempt: 1, placements })], { commandId: `placed/${jobId}`, correlationId: jobId, actor: 'scheduler' }, 0);
}

const start = async () => startLogRouterService(await connectNats(nats.url, 'router'), database, { log: (m) => process.env.DEBUG_ROUTER && console.log(new Date().toISOString(), m) });
const allLines = (jobId: string, task = 'worker-0') => readLogLines(database.db, { jobId, task, attempt: 1, limit: 1_000_000 });

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('log router against nats-server and PostgreSQL', () => {
  it('log router - stores every line once and in order across router and NATS restarts, and notices the end', async () => {
    await placed('job-r', ['worker-0']);
    const shipper = new LogShipper({ publish: jetStreamLogPublish(jetstream(nc), 1000), jobId: 'job-r', task: 'worker-0', attempt: 1, nodeId: 'node-1', maxLines: 100, retryDelayMs: 20 });
    const notices: LogStoredNotice[] = [];
    const sub = nc.subscribe(Subjects.logStored('job-r', 'worker-0'), { callback: (_e, m) => void notices.push(m.json()) });
    let router: LogRouterService = await start();
    let n = 0;
    const write = (count: number) => {
      for (let i = 0; i < count; i++) shipper.push(n % 7 === 0 ? 'stderr' : 'stdout', `line ${++n}`);
    };
    write(3000);
    await until(async () => ((await allLines('job-r')).length > 0 ? true : undefined));
    await router.stop(); // in the middle of the stream
    write(3000);
    router = await start();
    await nats.restart({ downtimeMs: 300 });
    write(3000);
    await shipper.close();
    const lines = await until(async () => {
      const l = await allLines('job-r');
      return l.length >= 9000 ? l : undefined;
    });
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 9000 }, (_, i) => i + 1));
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 9000 }, (_, i) => `line ${i + 1}`));
    expect(lines.filter((l) => l.stream === 'stderr').length).toBe(Math.ceil(9000 / 7));
    expect(await listLogAttempts(database.db, 'job-r')).toMatchObject([{ task: 'worker-0', attempt: 1, lastSeq: 9000, eofSeq: 9000 }]);
    await until(async () => (notices.some((x) => x.eof && x.lastSeq === 9000) ? true : undefined));
    sub.unsubscribe();
    await router.stop();
  });

  it('log router - long lines arrive whole and bytes that are not UTF-8 survive', async () => {
    const router = await start();
    await placed('job-x', ['worker-1']);
    const shipper = new LogShipper({ publish: jetStreamLogPublish(jetstream(nc)), jobId: 'job-x', task: 'worker-1', attempt: 1, nodeId: 'node-1', maxBytes: 64 * 1024 });
    const long = 'é'.repeat(400_000);
    const bad = new Uint8Array([0x80, 0x00, 0x41, 0xfe]);
    shipper.push('stdout', 'short');
    shipper.push('stdout', long);
    shipper.push('stderr', bad);
    await shipper.close();
    const lines = await until(async () => {
      const l = await allLines('job-x', 'worker-1');
      return l.length >= 3 ? l : undefined;
    });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(lines[1].text).toBe(long);
    expect(Buffer.from(lines[2].bytes!, 'base64')).toEqual(Buffer.from(bad));
    expect(lines[2].stream).toBe('stderr');
    await router.stop();
  });

  it('log router - a batch the store refuses and bytes that are no batch are quarantined with their bytes; the lines around them are stored; a retry after the fix stores it', async () => {
    const js = jetstream(nc);
    const batch = (task: string, firstSeq: number, lines: string[], eof = false) =>
      JSON.stringify({ v: 2, jobId: 'job-q', task, attempt: 1, firstSeq, t0: 1_750_000_000_000, dt: lines.map((_, i) => i), lines, ...(eof ? { eof: true } : {}) });
    // The "bug" a fix removes later: a constraint the batch of worker-9 breaks.
    await sql`alter table ${sql.id(schema.schema, 'log_chunks')} add constraint no_worker_9 check (task <> 'worker-9')`.execute(database.db);
    await placed('job-q', ['worker-0', 'worker-1', 'worker-9']);
    const router = await start();
    try {
      const sent: number[] = [];
      for (const body of [
        batch('worker-0', 1, ['one', 'two']),
        batch('worker-0', 3, ['NUL \u0000 in a line the agent should have sent as raw bytes']),
        'not a batch at all',
        batch('worker-9', 1, ['refused until the fix'], true),
        batch('worker-0', 4, ['four'], true),
      ]) {
        sent.push((await js.publish(Subjects.log('job-q', body.includes('worker-9') ? 'worker-9' : 'worker-0', 'node-1'), body)).seq);
      }
      const lines = await until(async () => {
        const l = await allLines('job-q');
        return l.length >= 3 ? l : undefined;
      });
      expect(lines.map((l) => [l.seq, l.text])).toEqual([[1, 'one'], [2, 'two'], [4, 'four']]);
      await until(async () => ((await readLogCheckpoint(database.db, 'log-router')) >= sent[4] ? true : undefined));

      const letters = await listDeadLetters(database.db, { consumer: 'log-router' });
      expect(letters.map((l) => [l.seq, l.stream, l.code.slice(0, 2), l.attempts]).reverse()).toEqual([
        [sent[1], 'TY_LOGS', '22', 3],
        [sent[2], 'TY_LOGS', 'Ma', 1],
        [sent[3], 'TY_LOGS', '23', 3],
      ]);
      expect(letters.find((l) => l.seq === sent[2])).toMatchObject({ code: 'MalformedLogBatch', payloadBytes: 'not a batch at all'.length, retryable: true });
      const kept = await getDeadLetter(database.db, Number(letters.find((l) => l.seq === sent[1])!.id.slice(3)));
      expect(Buffer.from(kept!.payload!).toString()).toContain('NUL \\u0000');

      // After the fix, the refused batch is stored from its kept bytes; the checkpoint does not move back.
      await sql`alter table ${sql.id(schema.schema, 'log_chunks')} drop constraint no_worker_9`.execute(database.db);
      const fixable = Number(letters.find((l) => l.seq === sent[3])!.id.slice(3));
      expect(await retryDeadLetter(database.db, fixable)).toEqual({ outcome: 'applied', commits: 1 });
      expect((await allLines('job-q', 'worker-9')).map((l) => l.text)).toEqual(['refused until the fix']);
      expect(await readLogCheckpoint(database.db, 'log-router')).toBeGreaterThanOrEqual(sent[4]);
      // The NUL batch still cannot be stored, and says so.
      const nul = Number(letters.find((l) => l.seq === sent[1])!.id.slice(3));
      expect(await retryDeadLetter(database.db, nul)).toMatchObject({ outcome: 'still-failing', failure: { code: expect.stringMatching(/^22/) } });
      expect((await listDeadLetters(database.db, { consumer: 'log-router' })).map((l) => l.seq).sort()).toEqual([sent[1], sent[2]].sort());

      // The router goes on storing.
      await js.publish(Subjects.log('job-q', 'worker-1', 'node-1'), batch('worker-1', 1, ['later']));
      await until(async () => ((await allLines('job-q', 'worker-1')).length ? true : undefined));
    } finally {
      await router.stop();
    }
  });

  it('log router - a batch from a node never given its task is quarantined with the reason, never stored; the node\'s own lines are (issue 11)', async () => {
    await placed('job-f', ['worker-0'], 'node-1');
    const batch = (lines: string[], firstSeq = 1) => JSON.stringify({ v: 2, jobId: 'job-f', task: 'worker-0', attempt: 1, firstSeq, t0: 1_750_000_000_000, dt: lines.map(() => 0), lines });
    const router = await start();
    try {
      const js = jetstream(nc);
      const forged = (await js.publish(Subjects.log('job-f', 'worker-0', 'node-2'), batch(['forged by node-2']))).seq;
      // Another job's lines under this job's subject: the body and the subject disagree.
      const mislabeled = (await js.publish(Subjects.log('job-f', 'worker-0', 'node-1'), JSON.stringify({ ...JSON.parse(batch(['not yours'])), jobId: 'job-q' }))).seq;
      const own = (await js.publish(Subjects.log('job-f', 'worker-0', 'node-1'), batch(['from node-1']))).seq;
      await until(async () => ((await readLogCheckpoint(database.db, 'log-router')) >= own ? true : undefined));
      expect((await allLines('job-f')).map((l) => l.text)).toEqual(['from node-1']);
      expect((await allLines('job-q')).map((l) => l.text)).not.toContain('not yours');
      const letters = (await listDeadLetters(database.db, { consumer: 'log-router' })).filter((l) => l.seq === forged || l.seq === mislabeled);
      expect(letters.map((l) => [l.seq, l.code, l.attempts]).sort()).toEqual([[forged, 'ForeignLogBatch', 1], [mislabeled, 'ForeignLogBatch', 1]].sort());
      expect(letters.find((l) => l.seq === forged)!.message).toContain('node node-2 was never given worker-0 of job job-f');
    } finally {
      await router.stop();
    }
  });

  // Last: it takes the log stream away.
  it('log router - a missing TY_LOGS is said once and never recreated; it reads on once the stream is back', async () => {
    const said: string[] = [];
    const router = await startLogRouterService(await connectNats(nats.url, 'router-missing'), database, { log: (m) => said.push(m) });
    await (await jetstreamManager(nc)).streams.delete(Streams.logs);
    // The consumer learns of the loss from the server (its heartbeats stop): slower on a loaded machine.
    await until(async () => (said.some((m) => /stream TY_LOGS is missing: the NATS store was lost or replaced/.test(m)) ? true : undefined), 90_000);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(said.filter((m) => /is missing/.test(m))).toHaveLength(1);
    await expect((await jetstreamManager(nc)).streams.info(Streams.logs)).rejects.toThrow(/stream not found/);
    await ensureStreams(nc); // the operator restores it
    await until(async () => (said.includes('stream TY_LOGS is back') ? true : undefined), 60_000);
    await router.stop();
  }, 180_000);
});
