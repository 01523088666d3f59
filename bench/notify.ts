import { jetstreamManager } from '@nats-io/jetstream';
import { type CommitMeta, type DomainEvent, event, Subjects, type TrainingJobSpec } from '@trainyard/contracts';
import { createDatabase, migrate, storeSubscriptionSecret } from '@trainyard/db';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { freshSchema, startNatsServer } from '@trainyard/testing';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { startNotifierService } from '../apps/notifier/src/index';

/**
 * `npm run bench:notify`: the notifier (in this process, as in the all-in-one) against a private
 * nats-server and the machine's PostgreSQL. Phase 1, a backlog: `BENCH_NOTIFY_JOBS` jobs (default
 * 500), each three job commits (created, started, succeeded) and three node commits of noise, one
 * project subscription to all events, a receiver on loopback answering 200; measured from the
 * notifier's start to the last delivery taken: commits folded per second and deliveries per second.
 * Phase 2, live: 100 jobs started one after another; the delay from each append to its webhook,
 * p50/p99. Conditions go to stderr; the LAST line of stdout is one JSON object.
 */
async function main(): Promise<void> {
  const jobs = Number(process.env.BENCH_NOTIFY_JOBS ?? 500);
  const say = (m: string) => console.error(m);
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const taken = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      if (!taken.has(key)) taken.set(key, performance.now());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const nats = await startNatsServer();
  const schema = await freshSchema();
  const database = createDatabase({ url: schema.url, schema: schema.schema });
  await migrate(database.db, database.schema);
  const nc = await connectNats(nats.url, 'bench');
  await ensureStreams(nc);
  const log = new JetStreamEventLog(nc);
  const now = new Date().toISOString();
  const meta = (): CommitMeta => {
    const id = randomUUID();
    return { commandId: id, correlationId: id, actor: 'bench' };
  };
  const spec = (name: string) => ({ kind: 'job', metadata: { name, project: 'default' }, algorithm: { command: 'true' }, spec: { resource: { pool: 'default', flavor: { cpu: 1, memoryMiB: 128 }, nodeCount: 1 } } }) as unknown as TrainingJobSpec;
  const append = async (subject: string, events: DomainEvent[]) => (await log.append(subject, events, meta(), 'any')).seq;
  let notifier: Awaited<ReturnType<typeof startNotifierService>> | undefined;
  try {
    const sub = randomUUID();
    await storeSubscriptionSecret(database.db, sub, 'bench-secret-0123456789');
    await append(Subjects.notifySubscription(sub), [event('NotificationSubscribed', now, { subscriptionId: sub, scope: { kind: 'project', project: 'default' }, events: ['started', 'completed', 'failed', 'terminated'], url, by: 'bench' })]);
    const t0 = performance.now();
    for (let i = 0; i < jobs; i++) {
      const id = randomUUID();
      await append(Subjects.job(id), [event('JobCreated', now, { jobId: id, spec: spec(`j${i}`), tasks: ['worker-0'], createdBy: 'bench' }), event('JobQueued', now, { priority: 1 })]);
      await append(Subjects.node('n1'), [event('NodeReturned', now, { by: 'bench', reason: 'noise' })]);
      await append(Subjects.job(id), [event('JobStarted', now, { attempt: 1 })]);
      await append(Subjects.node('n1'), [event('NodeReturned', now, { by: 'bench', reason: 'noise' })]);
      await append(Subjects.job(id), [event('JobSucceeded', now, { attempt: 1 })]);
      await append(Subjects.node('n1'), [event('NodeReturned', now, { by: 'bench', reason: 'noise' })]);
    }
    const commits = 1 + jobs * 6;
    say(`backlog: ${commits} commits appended in ${Math.round(performance.now() - t0)} ms`);

    const start = performance.now();
    notifier = await startNotifierService(nc, database, { pollMs: 200 }, { log: () => undefined });
    const want = jobs * 2;
    const jsm = await jetstreamManager(nc);
    let foldedAt = 0;
    while (taken.size < want) {
      if (!foldedAt) {
        const info = await jsm.consumers.info('TY_EVENTS', 'notifier').catch(() => undefined);
        if (info && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= commits) foldedAt = performance.now();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const end = Math.max(...taken.values());
    const foldMs = (foldedAt || end) - start;
    const backlogMs = end - start;
    say(`backlog: ${commits} commits folded in ${Math.round(foldMs)} ms, ${want} deliveries taken ${Math.round(backlogMs)} ms after the notifier started`);

    // Live: one JobStarted at a time, each a fresh job, append → webhook taken.
    const delays: number[] = [];
    for (let i = 0; i < 100; i++) {
      const id = randomUUID();
      await append(Subjects.job(id), [event('JobCreated', now, { jobId: id, spec: spec(`live${i}`), tasks: ['worker-0'], createdBy: 'bench' })]);
      const before = taken.size;
      const at = performance.now();
      const seq = await append(Subjects.job(id), [event('JobStarted', now, { attempt: 1 })]);
      const key = `${sub}.${seq}.0`;
      while (!taken.has(key)) await new Promise((r) => setTimeout(r, 1));
      delays.push(taken.get(key)! - at);
      if (taken.size !== before + 1) throw new Error('a live delivery was not taken exactly once');
    }
    delays.sort((a, b) => a - b);
    const pct = (p: number) => Math.round(delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] * 10) / 10;
    const result = {
      bench: 'notify',
      jobs,
      commits,
      deliveries: want,
      foldCommitsPerS: Math.round(commits / (foldMs / 1000)),
      backlogDeliveriesPerS: Math.round(want / (backlogMs / 1000)),
      liveDelayMsP50: pct(50),
      liveDelayMsP99: pct(99),
    };
    say(`live: append → webhook p50 ${result.liveDelayMsP50} ms, p99 ${result.liveDelayMsP99} ms (100 events)`);
    console.log(JSON.stringify(result));
  } finally {
    await notifier?.stop();
    await nc.drain();
    await database.close();
    await nats.stop();
    await schema.drop();
    server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
