import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { event, type LogStoredNotice, Streams, Subjects } from '@trainyard/contracts';
import { createDatabase, migrate } from '@trainyard/db';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { freshSchema, startNatsServer, TEST_ADMIN_AUTH, TEST_ADMIN_TOKEN } from '@trainyard/testing';
import { execFileSync, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_API_OPTIONS } from '../apps/api/src/api-options';
import { startApiServer } from '../apps/api/src/api-server';
import type { ReadModel } from '../apps/api/src/read-model';
import { dbApiMetrics } from '../apps/api/src/metrics/api-metrics-port';
import { dbLogReads } from '../apps/api/src/training-jobs/log-reads';

/**
 * `npm run bench:logs`: one task printing as fast as it can (`BENCH_LOG_LINES`, default 1,000,000
 * lines of ~60 bytes) through the real path — the agent's process runtime and LogShipper (own
 * process) → a private nats-server (TY_LOGS) → the log router (own process, `dist/apps/log-router`)
 * → PostgreSQL — while a live follow (SSE, the API's handler, this process) reads it. Prints lines/s
 * from the task's start to the last line stored, the write→follow delay p50/p99 (each line carries
 * its write time), and the raw JetStream publish rate measured in the same run. Conditions go to
 * stderr; the LAST line of stdout is one JSON object.
 */
async function main(): Promise<void> {
  const lines = Number(process.env.BENCH_LOG_LINES ?? 1_000_000);
  const dist = resolve(__dirname, '..'); // dist/ (compiled with the apps)
  const say = (m: string) => console.error(m);
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`nats-server: ${execFileSync('/usr/sbin/nats-server', ['--version']).toString().trim()}; PostgreSQL: the machine's (postgres://postgres@127.0.0.1:5432/test)`);

  const nats = await startNatsServer();
  const schema = await freshSchema();
  const database = createDatabase({ url: schema.url, schema: schema.schema });
  await migrate(database.db, database.schema);
  const nc = await connectNats(nats.url, 'bench');
  await ensureStreams(nc);
  const eventLog = new JetStreamEventLog(nc);
  const children: ReturnType<typeof spawn>[] = [];
  try {
    // 1. Raw JetStream: acked publishes of 256-byte messages, one at a time, as a baseline.
    const js = jetstream(nc);
    const payload = new Uint8Array(256);
    let raw = 0;
    const rawStart = performance.now();
    while (performance.now() - rawStart < 2000) await js.publish('ty.log.bench-raw.worker-0.bench-node', payload, { msgID: `raw-${raw++}` });
    const rawPublishPerS = Math.round(raw / ((performance.now() - rawStart) / 1000));
    await (await jetstreamManager(nc)).streams.purge(Streams.logs, { filter: 'ty.log.bench-raw.>' });
    say(`raw JetStream: ${raw} acked 256-byte publishes one at a time in 2 s = ${rawPublishPerS}/s`);

    // 2. The log router in its own process.
    const router = spawn(process.execPath, [resolve(dist, 'apps/log-router/src/main.js')], {
      env: { ...process.env, TY_NATS_URL: nats.url, TY_DATABASE_URL: schema.url, TY_DATABASE_SCHEMA: schema.schema },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(router);
    let routerErr = '';
    router.stderr!.on('data', (d) => (routerErr = (routerErr + d).slice(-2000)));
    await new Promise<void>((ok, fail) => {
      router.stdout!.on('data', (d) => /ready/.test(String(d)) && ok());
      router.once('exit', (code) => fail(new Error(`log router exited with ${code}: ${routerErr}`)));
    });

    // 3. The API's follow handler over HTTP, on stub jobs (the bench has no scheduler).
    const reads = {
      getJob: async (id: string) => ({ id, state: 'running', attempt: 1, tasks: [{ name: 'worker-0', state: 'running', attempt: 1 }] }),
    } as unknown as ReadModel;
    const api = await startApiServer({ nc, reads, logs: dbLogReads(database), metrics: dbApiMetrics(database, nc), options: { ...DEFAULT_API_OPTIONS, bootstrapAdmin: { token: TEST_ADMIN_TOKEN } } }, { host: '127.0.0.1', port: 0 });

    /** One task through the whole path while a live follow reads it. */
    const phase = async (jobId: string, n: number, rate?: number) => {
      // The router stores a node's lines only for a task placed there (issue 11): the stub job's placement.
      const placement = { task: 'worker-0', index: 0, nodeId: 'bench-node', host: '127.0.0.1' };
      await eventLog.append(Subjects.job(jobId), [event('JobScheduled', new Date().toISOString(), { attempt: 1, placements: [placement] })], { commandId: `bench/${jobId}`, correlationId: jobId, actor: 'bench' }, 0);
      const delays: number[] = [];
      const followDone = follow(`${api.url}/v1/training-jobs/${jobId}/tasks/worker-0/logs?follow=true&attempt=1`, delays);
      let storedAt = 0;
      const stored = new Promise<void>((ok) => {
        const sub = nc.subscribe(Subjects.logStored(jobId, 'worker-0'), {
          callback: (_e, m) => {
            if (m.json<LogStoredNotice>().lastSeq >= n && !storedAt) {
              storedAt = Date.now();
              sub.unsubscribe();
              ok();
            }
          },
        });
      });
      const agent = spawn(process.execPath, [resolve(dist, 'bench/logs-agent.js'), nats.url, jobId, String(n), ...(rate ? [String(rate)] : [])], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(agent);
      let out = '';
      agent.stdout!.on('data', (d) => (out += d));
      await new Promise((ok) => agent.once('exit', ok));
      const a = JSON.parse(out.trim().split('\n').at(-1)!);
      await stored;
      await followDone;
      delays.sort((x, y) => x - y);
      const pct = (p: number) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))];
      return {
        lines_per_s: Math.round(n / ((storedAt - a.startedAt) / 1000)),
        follow_p50_ms: pct(50), follow_p99_ms: pct(99), follow_max_ms: delays.at(-1)!, followed: delays.length,
        task_print_s: (a.pushedAt - a.startedAt) / 1000, agent_acked_s: (a.acknowledgedAt - a.startedAt) / 1000, stored_s: (storedAt - a.startedAt) / 1000,
      };
    };

    // 4. Burst: the task prints as fast as it can (the throughput figure).
    say(`burst: ${lines.toLocaleString('en')} lines of ~60 bytes printed as fast as node can; agent = process runtime + LogShipper (defaults), own process`);
    const burst = await phase('bench-burst', lines);
    say(`  printed in ${burst.task_print_s} s; all acked by JetStream at ${burst.agent_acked_s} s; all in PostgreSQL at ${burst.stored_s} s → ${burst.lines_per_s.toLocaleString('en')} lines/s`);
    say(`  live follow (${burst.followed} lines) write→arrival p50 ${burst.follow_p50_ms} ms, p99 ${burst.follow_p99_ms} ms: the follower reads a backlog`);

    // 5. Paced at the target rate: the follow delay a reader sees while a task logs 100k lines/s.
    const rate = Number(process.env.BENCH_FOLLOW_RATE ?? 100_000);
    const pacedLines = Number(process.env.BENCH_FOLLOW_LINES ?? rate * 5);
    say(`paced: ${pacedLines.toLocaleString('en')} lines at ${rate.toLocaleString('en')} lines/s`);
    const paced = await phase('bench-paced', pacedLines, rate);
    say(`  live follow (${paced.followed} lines) write→arrival p50 ${paced.follow_p50_ms} ms, p99 ${paced.follow_p99_ms} ms, max ${paced.follow_max_ms} ms`);
    await api.close();

    const figures = {
      lines_per_s: burst.lines_per_s,
      follow_p50_ms: paced.follow_p50_ms,
      follow_p99_ms: paced.follow_p99_ms,
      raw_publish_per_s: rawPublishPerS,
      follow_rate_lines_per_s: rate,
      burst_follow_p50_ms: burst.follow_p50_ms,
      burst_follow_p99_ms: burst.follow_p99_ms,
      lines,
      burst_print_s: burst.task_print_s,
      burst_stored_s: burst.stored_s,
      cores: cpus().length,
      load_average_1m: Math.round(loadavg()[0] * 100) / 100,
    };
    console.log(`agent → stored ${figures.lines_per_s.toLocaleString('en')} lines/s (target ≥ 100,000); follow p99 ${figures.follow_p99_ms} ms at ${rate.toLocaleString('en')} lines/s (target ≤ 250); raw JetStream ${rawPublishPerS}/s`);
    console.log(JSON.stringify(figures));
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await nc.close();
    await database.close();
    await schema.drop();
    await nats.stop();
  }
}

/** Reads a live follow to its end, recording each line's write→arrival delay (its text starts with the write time). */
async function follow(url: string, delays: number[]): Promise<void> {
  const res = await fetch(url, { headers: TEST_ADMIN_AUTH });
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const now = Date.now();
    buf += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, at);
      buf = buf.slice(at + 2);
      if (block.includes('event: end')) return;
      const d = block.indexOf('"text":"');
      if (d < 0) continue;
      delays.push(now - Number(block.slice(d + 8, block.indexOf(' ', d + 8))));
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
