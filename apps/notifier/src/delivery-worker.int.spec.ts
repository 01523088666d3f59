import { applyNotifierChanges, claimDueDeliveries, createDatabase, type DatabaseHandle, listDeliveries, migrate, storeSubscriptionSecret } from '@trainyard/db';
import { freshSchema, type FreshSchema } from '@trainyard/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker';
import { verifyWebhook } from './webhook-signature';

/** A receiver answering each request with what `answer` says, recording when and what it got. */
async function receiver(answer: (n: number) => number) {
  const got: { at: number; key: string; body: string; signature: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ at: Date.now(), key: String(req.headers['idempotency-key']), body, signature: String(req.headers['trainyard-signature']) });
      res.writeHead(answer(got.length)).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/h`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const until = async (probe: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('delivery worker - against PostgreSQL and a receiver on loopback', () => {
  let schema: FreshSchema;
  let database: DatabaseHandle;
  const workers: DeliveryWorker[] = [];
  const opts = (over: Partial<DeliveryWorkerOptions> = {}): DeliveryWorkerOptions => ({
    backoff: { firstDelayMs: 50, factor: 2, maxDelayMs: 1_000, maxAttempts: 4, jitter: 0 }, timeoutMs: 2_000, concurrency: 4, pollMs: 100, log: () => undefined, ...over,
  });
  const start = (o: DeliveryWorkerOptions) => {
    const w = new DeliveryWorker(database, o);
    workers.push(w);
    w.start();
    return w;
  };
  let n = 0;
  const deliver = async (url: string, secret: string | undefined) => {
    const sub = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    if (secret) await storeSubscriptionSecret(database.db, sub, secret);
    const key = `${sub}.${100 + n}.0`;
    await applyNotifierChanges(database.db, { deliveries: [{ key, subscriptionId: sub, jobId: 'j1', event: 'failed', seq: 100 + n, url, body: JSON.stringify({ id: key, n }), createdAt: new Date().toISOString() }] });
    return { sub, key };
  };
  const log = async (sub: string) => (await listDeliveries(database.db, { subscriptionId: sub, limit: 10 }))[0];

  beforeAll(async () => {
    schema = await freshSchema();
    database = createDatabase({ url: schema.url, schema: schema.schema });
    await migrate(database.db, database.schema);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await database?.close();
    await schema?.drop();
  });

  it('a delivery claimed by a sender that died goes again once its claim runs out, under the same key and body, by one of two senders only', async () => {
    const r = await receiver(() => 200);
    try {
      const { sub, key } = await deliver(r.url, 'secret-of-the-sub-0001');
      // A sender took it and died before it recorded anything.
      const claimedAt = Date.now();
      expect((await claimDueDeliveries(database.db, new Date(), 10, 1_500)).map((d) => d.key)).toEqual([key]);
      start(opts({ claimMs: 1_500 }));
      start(opts({ claimMs: 1_500 }));
      await until(async () => (await log(sub))?.status === 'delivered');
      await new Promise((res) => setTimeout(res, 500)); // time for a second send, if there were one
      expect(r.got.map((g) => g.key)).toEqual([key]);
      expect(r.got[0].at - claimedAt).toBeGreaterThanOrEqual(1_400);
      expect(JSON.parse(r.got[0].body)).toEqual({ id: key, n: expect.any(Number) });
      expect(verifyWebhook('secret-of-the-sub-0001', r.got[0].body, r.got[0].signature, { now: Math.floor(Date.now() / 1000), toleranceSeconds: 60 })).toBe(true);
      expect((await log(sub)).attempts.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([[1, 'delivered', 200]]);
    } finally {
      await r.close();
    }
  });

  it('a receiver that never takes it: attempts back off as the policy says, then the delivery is failed; 410 is final at once', async () => {
    const r = await receiver((i) => (i <= 4 ? 500 : 410));
    try {
      const { sub, key } = await deliver(r.url, 'secret-of-the-sub-0002');
      start(opts());
      await until(async () => (await log(sub))?.status === 'failed');
      const sent = r.got.filter((g) => g.key === key);
      expect(sent).toHaveLength(4);
      const gaps = sent.slice(1).map((g, i) => g.at - sent[i].at);
      gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual([50, 100, 200][i] - 5));
      expect((await log(sub)).attempts.map((a) => [a.outcome, a.statusCode])).toEqual([['retry', 500], ['retry', 500], ['retry', 500], ['failed', 500]]);
      expect(new Set(sent.map((g) => g.body)).size).toBe(1);

      const gone = await deliver(r.url, 'secret-of-the-sub-0003');
      await until(async () => (await log(gone.sub))?.status === 'failed');
      expect((await log(gone.sub)).attempts.map((a) => [a.outcome, a.statusCode])).toEqual([['failed', 410]]);
    } finally {
      await r.close();
    }
  });

  it('a delivery whose subscription lost its secret (removed) is cancelled, and nothing unsigned is sent', async () => {
    const r = await receiver(() => 200);
    try {
      const { sub } = await deliver(r.url, undefined);
      start(opts());
      await until(async () => (await log(sub))?.status === 'cancelled');
      expect(r.got).toEqual([]);
      expect((await log(sub)).attempts.map((a) => a.outcome)).toEqual(['cancelled']);
    } finally {
      await r.close();
    }
  });
});
