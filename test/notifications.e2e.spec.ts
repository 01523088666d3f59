import { jetstreamManager } from '@nats-io/jetstream';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, writableTempDir } from '@trainyard/testing';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../apps/cli/src/cli';
import { verifyWebhook } from '../apps/notifier/src/index';
import { eventually } from './support/eventually';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/** One request the receiver got: what it answered, and the bytes it verified. */
interface Received {
  key: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/**
 * A webhook receiver on loopback that fails its first `failFirst` answers (503), then takes each
 * idempotency key once: the "in effect" a real receiver implements with the key.
 */
async function startReceiver(failFirst: number): Promise<{ url: string; received: Received[]; taken: Map<string, Received>; close(): Promise<void> }> {
  const received: Received[] = [];
  const taken = new Map<string, Received>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const answered = received.length < failFirst ? 503 : 200;
      const r: Received = { key, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered };
      received.push(r);
      if (answered === 200 && !taken.has(key)) taken.set(key, r);
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/trainyard`, received, taken, close: () => new Promise((r) => server.close(() => r())) };
}

describe('notifications - webhooks of the guide events, signed, retried, once in effect', () => {
  let t: TestCluster;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver(2);
    t = await startTestCluster({
      notifier: { backoff: { firstDelayMs: 300, factor: 2, maxDelayMs: 2_000, maxAttempts: 10, jitter: 0.2 }, pollMs: 500, timeoutMs: 5_000 },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    await receiver?.close();
  });

  const submit = async (name: string, command: string) => {
    const r = await t.api.call('POST', '/v1/training-jobs', shellJob(name, command));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };

  it('refuses a bad subscription with a stable code and the offending field, and one on a job that is over', async () => {
    const bad = await t.api.call('POST', '/v1/notifications', { project: 'default', events: ['ended', 'started', 'started'], url: 'ftp://127.0.0.1/x', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'events[0]', code: 'INVALID_FORMAT' }),
      expect.objectContaining({ path: 'events[2]', code: 'DUPLICATE' }),
      expect.objectContaining({ path: 'url', code: 'INVALID_FORMAT' }),
      expect.objectContaining({ path: 'colour', code: 'UNKNOWN_FIELD' }),
    ]));
    const neither = await t.api.call('POST', '/v1/notifications', { events: ['started'], url: receiver.url });
    expect([neither.status, neither.body.error?.details]).toEqual([400, [expect.objectContaining({ path: 'job', code: 'REQUIRED' })]]);
    const creds = await t.api.call('POST', '/v1/notifications', { project: 'default', events: ['started'], url: 'https://user:pw@hooks.example/x' });
    expect([creds.status, creds.body.error?.details]).toEqual([400, [expect.objectContaining({ path: 'url', code: 'FORBIDDEN_VALUE' })]]);

    const done = await submit('over', 'true');
    await t.api.waitFor(done, 'completed');
    const over = await t.api.call('POST', '/v1/notifications', { job: done, events: ['failed'], url: receiver.url });
    expect([over.status, over.body.error?.code, over.body.error?.details]).toEqual([409, 'ILLEGAL_STATE', [expect.objectContaining({ path: 'job', code: 'FORBIDDEN_VALUE' })]]);
    // A CPU job: 作业疑似卡死 is for GPU/NPU jobs only (L2127).
    const cpu = await submit('cpu-only', 'sleep 20');
    const hang = await t.api.call('POST', '/v1/notifications', { job: cpu, events: ['started', 'suspected-hang'], url: receiver.url });
    expect([hang.status, hang.body.error?.details]).toEqual([400, [expect.objectContaining({ path: 'events[1]', code: 'FORBIDDEN_VALUE' })]]);
    expect((await t.api.call('POST', `/v1/training-jobs/${cpu}/stop`)).status).toBe(202);
    // Over before the next test subscribes its project (its end would be notified otherwise, rightly).
    await t.api.waitFor(cpu, 'terminated');
    // A viewer may read but not subscribe.
    const viewer = await t.api.call('POST', '/v1/admin/tokens', { roles: ['viewer'], project: 'default', subject: 'user:vera' });
    const refused = await t.api.as(viewer.body.token).call('POST', '/v1/notifications', { project: 'default', events: ['started'], url: receiver.url });
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    expect((await t.api.call('GET', '/v1/notifications')).body.items).toEqual([]);
  }, 60_000);

  it('delivers every subscribed event once in effect across a notifier restart and a receiver failing its first two answers; signatures verify', async () => {
    // A project subscription with a secret the API makes (shown once), a job subscription with our own.
    const project = await t.api.call('POST', '/v1/notifications', { project: 'default', events: ['started', 'completed', 'failed', 'terminated'], url: receiver.url, description: 'all jobs' });
    expect(project.status, JSON.stringify(project.body)).toBe(201);
    const projectSecret: string = project.body.secret;
    expect(projectSecret).toMatch(/^whsec_/);
    const failing = await submit('fails', 'sleep 3; exit 3');
    const ownSecret = 'a-secret-of-our-own-0123456789';
    const job = await t.api.call('POST', '/v1/notifications', { job: failing, events: ['failed'], url: receiver.url, secret: ownSecret });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    expect(job.body).not.toHaveProperty('secret');
    const listed = (await t.api.call('GET', '/v1/notifications')).body.items;
    expect(listed.map((s: any) => s.id).sort()).toEqual([project.body.id, job.body.id].sort());
    expect(JSON.stringify(listed)).not.toContain(projectSecret);
    expect(JSON.stringify(listed)).not.toContain(ownSecret);

    const ok = await submit('succeeds', 'echo hello');
    await t.api.waitFor(ok, 'completed');
    await t.api.waitFor(failing, 'failed').catch(() => undefined);
    expect((await t.api.call('GET', `/v1/training-jobs/${failing}`)).body.state).toBe('failed');

    // The notifier goes away mid-stream (deliveries may be waiting for their retry); a job runs and is
    // stopped meanwhile. Its durable is deleted too, so on its return it reads the whole log again:
    // nothing it already recorded may be notified twice.
    await t.cluster.notifier.stop();
    const stopped = await submit('stopped', 'sleep 60');
    await t.api.waitFor(stopped, 'running');
    expect((await t.api.call('POST', `/v1/training-jobs/${stopped}/stop`)).status).toBe(202);
    await t.api.waitFor(stopped, 'terminated');
    const jsm = await jetstreamManager(t.cluster.nc);
    await jsm.consumers.delete('TY_EVENTS', 'notifier');
    await t.cluster.notifier.start();

    const expected = [
      [project.body.id, ok, 'started'], [project.body.id, ok, 'completed'],
      [project.body.id, failing, 'started'], [project.body.id, failing, 'failed'], [job.body.id, failing, 'failed'],
      [project.body.id, stopped, 'started'], [project.body.id, stopped, 'terminated'],
    ].map((x) => x.join(' ')).sort();
    const effect = () => [...receiver.taken.values()].map((r) => JSON.parse(r.body)).map((b) => [b.subscriptionId, b.job.id, b.event].join(' ')).sort();
    await eventually(async () => (effect().length >= expected.length ? true : undefined), 40_000).catch(() => undefined);
    expect(effect()).toEqual(expected);

    // The first two answers failed, and were tried again under the same key.
    expect(receiver.received.slice(0, 2).map((r) => r.answered)).toEqual([503, 503]);
    for (const r of receiver.received.slice(0, 2)) expect(receiver.taken.has(r.key)).toBe(true);
    // Once in effect: no key was taken twice (a 2xx answered once per key), and nothing beyond the subscribed events came.
    const accepted = receiver.received.filter((r) => r.answered === 200).map((r) => r.key);
    expect(accepted.length).toBe(new Set(accepted).size);
    expect(new Set(receiver.received.map((r) => r.key)).size).toBe(expected.length);

    // Every request verifies with its subscription's secret; another secret or a changed body does not.
    const secretOf = (body: any) => (body.subscriptionId === project.body.id ? projectSecret : ownSecret);
    const now = Math.floor(Date.now() / 1000);
    for (const r of receiver.received) {
      const body = JSON.parse(r.body);
      const sig = String(r.headers['trainyard-signature']);
      expect(verifyWebhook(secretOf(body), r.body, sig, { now, toleranceSeconds: 300 }), r.key).toBe(true);
      expect(verifyWebhook('not-the-secret-0000000', r.body, sig, { now, toleranceSeconds: 300 })).toBe(false);
      expect(verifyWebhook(secretOf(body), r.body.replace(body.event, 'tampered'), sig, { now, toleranceSeconds: 300 })).toBe(false);
      expect(r.headers['trainyard-event']).toBe(body.event);
      expect(r.key).toBe(body.id);
      expect(r.key).toBe(`${body.subscriptionId}.${body.seq}.${body.index}`);
    }
    const failed = [...receiver.taken.values()].map((r) => JSON.parse(r.body)).find((b) => b.job.id === failing && b.event === 'failed');
    expect(failed).toMatchObject({ eventZh: '作业失败', job: { name: 'fails', project: 'default' }, messageZh: '训练作业运行失败' });

    // The delivery log: one row per (subscription, event) — the log read twice made none twice — each delivered, every attempt recorded.
    const rows = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`${t.schema.schema}.notification_deliveries`)}`.execute(t.cluster.database.db);
    expect(rows.rows[0].n).toBe(expected.length);
    // The receiver answers before the notifier records the answer: the log says delivered a moment later.
    const log = await eventually(async () => {
      const items = [
        ...(await t.api.call('GET', `/v1/notifications/${project.body.id}/deliveries`)).body.items,
        ...(await t.api.call('GET', `/v1/notifications/${job.body.id}/deliveries`)).body.items,
      ];
      return items.every((d: any) => d.status === 'delivered') ? items : undefined;
    }, 20_000);
    expect(log).toHaveLength(expected.length);
    expect(log.every((d: any) => d.status === 'delivered' && d.attempts.at(-1).statusCode === 200)).toBe(true);
    const retried = log.flatMap((d: any) => d.attempts).filter((a: any) => a.outcome === 'retry');
    expect(retried.map((a: any) => a.statusCode)).toEqual([503, 503]);
    expect(log.flatMap((d: any) => d.attempts).length).toBe(receiver.received.length);
  }, 120_000);

  it('a removed subscription is gone: not listed, 404, its removal an event of the log', async () => {
    const made = await t.api.call('POST', '/v1/notifications', { project: 'default', events: ['started'], url: receiver.url });
    const id = made.body.id;
    const removed = await t.api.call('DELETE', `/v1/notifications/${id}`);
    expect([removed.status, removed.body.removed]).toEqual([200, true]);
    expect((await t.api.call('GET', `/v1/notifications/${id}`)).status).toBe(404);
    expect((await t.api.call('DELETE', `/v1/notifications/${id}`)).status).toBe(404);
    expect((await t.api.call('GET', '/v1/notifications')).body.items.map((s: any) => s.id)).not.toContain(id);
    const history = await t.cluster.eventLog.read(`ty.ev.notify.${id}`);
    expect(history.commits.flatMap((c) => c.events.map((e) => e.type))).toEqual(['NotificationSubscribed', 'NotificationUnsubscribed']);
    // The secret is in no event.
    expect(JSON.stringify(history.commits)).not.toContain(made.body.secret);
  });

  it('a retried creation with the same Idempotency-Key is the same subscription, its secret the same, one event', async () => {
    const body = { project: 'default', events: ['failed'], url: receiver.url };
    const first = await t.api.call('POST', '/v1/notifications', body, { 'idempotency-key': 'create-hook-1' });
    const again = await t.api.call('POST', '/v1/notifications', body, { 'idempotency-key': 'create-hook-1' });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body);
    expect(first.body.secret).toMatch(/^whsec_/);
    const history = await t.cluster.eventLog.read(`ty.ev.notify.${first.body.id}`);
    expect(history.commits.flatMap((c) => c.events.map((e) => e.type))).toEqual(['NotificationSubscribed']);
    // Another key (or another caller) is another subscription.
    const other = await t.api.call('POST', '/v1/notifications', body, { 'idempotency-key': 'create-hook-2' });
    expect(other.body.id).not.toBe(first.body.id);
    for (const id of [first.body.id, other.body.id]) expect((await t.api.call('DELETE', `/v1/notifications/${id}`)).status).toBe(200);
  });

  it('yard notify add|list|deliveries|remove - the API rules before any round trip, the secret from a file, the delivery log as a table', async () => {
    const yard = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(args, {
        stdout: (x) => void (stdout += x), stderr: (x) => void (stderr += x),
        vars: { TY_API_URL: t.api.url, TY_TOKEN: TEST_ADMIN_TOKEN, TY_CONFIG: '/nonexistent/trainyard-test-config.yaml' },
        cwd: process.cwd(), now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      });
      return { code, stdout, stderr };
    };
    const bad = await yard('notify', 'add', '--project', 'default', '--events', 'started,ended', '--url', receiver.url);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--events: events[1] must be one of started, completed, failed, terminated, suspected-hang')]);
    const dir = writableTempDir('yard-notify-');
    try {
      const file = join(dir, 'secret');
      writeFileSync(file, 'cli-secret-0123456789abcdef\n', { mode: 0o600 });
      // It may start before the subscription is made (not notified then, as the guide says): only its end is awaited.
      const id = await submit('cli-watched', 'sleep 1');
      const added = await yard('notify', 'add', '--job', id, '--events', 'completed,failed', '--url', receiver.url, '--secret-file', file);
      expect(added.code, added.stderr).toBe(0);
      const sub = added.stdout.trim();
      expect(sub).toMatch(/^[0-9a-f-]{36}$/); // no secret printed: it was ours
      const list = await yard('notify', 'list', '--job', id);
      expect(list.stdout).toContain(sub);
      expect(list.stdout).toContain('completed,failed');
      await t.api.waitFor(id, 'completed');
      const table = await eventually(async () => {
        const r = await yard('notify', 'deliveries', sub);
        return (r.stdout.match(/ delivered /g) ?? []).length === 1 ? r.stdout : undefined;
      }, 20_000);
      expect(table.split('\n')[0]).toMatch(/^EVENT\s+JOB\s+SEQ\s+STATUS\s+ATTEMPTS\s+LAST\s+NEXT\s+KEY/);
      expect(table).toContain('HTTP 200');
      // It was signed with the secret from the file (its newline not part of it).
      const got = [...receiver.taken.values()].filter((r) => JSON.parse(r.body).subscriptionId === sub);
      expect(got.map((r) => verifyWebhook('cli-secret-0123456789abcdef', r.body, String(r.headers['trainyard-signature']), { now: Math.floor(Date.now() / 1000), toleranceSeconds: 300 }))).toEqual([true]);
      const removed = await yard('notify', 'remove', sub);
      expect([removed.code, removed.stdout]).toEqual([0, `subscription ${sub} removed\n`]);
      const again = await yard('notify', 'remove', sub);
      expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('NOT_FOUND')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
