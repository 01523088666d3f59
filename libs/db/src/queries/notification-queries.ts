import type { AttemptOutcome, DeliveryStatus, DeliveryView, NotificationEvent, SubscriptionScope } from '@trainyard/contracts';
import { storableText } from '@trainyard/contracts';
import { type ColumnType, type Kysely, sql } from 'kysely';
import type { Database, Timestamp } from '../database';
import { iso } from './iso';

/** The notifier's tables (migration 0008). Not projections: see the migration. */
export type NotificationTables = {
  notification_subscriptions: {
    id: string;
    scope: 'job' | 'project';
    job_id: string | null;
    project: string;
    events: ColumnType<NotificationEvent[], string, string>;
    url: string;
    from_seq: number;
    until_seq: number | null;
  };
  notification_jobs: { job_id: string; name: string; project: string; accelerated: boolean };
  notification_secrets: { subscription_id: string; secret: string };
  notification_deliveries: {
    key: string;
    subscription_id: string;
    job_id: string;
    event: NotificationEvent;
    seq: number;
    url: string;
    body: string;
    status: DeliveryStatus;
    attempts: ColumnType<number, number | undefined, number>;
    next_attempt_at: Timestamp | null;
    claimed_until: Timestamp | null;
    created_at: Timestamp;
    delivered_at: Timestamp | null;
  };
  notification_attempts: { key: string; attempt: number; at: Timestamp; status_code: number | null; outcome: AttemptOutcome; error: string | null; duration_ms: number };
};
export type NotificationDatabase = Database & NotificationTables;

/** The same handle, typed with the notification tables too. */
export const withNotifications = (db: Kysely<Database>): Kysely<NotificationDatabase> => db.withTables<NotificationTables>() as unknown as Kysely<NotificationDatabase>;

/** A subscription as the notifier folds it. */
export interface NotifierSubscriptionRow {
  subscriptionId: string;
  scope: SubscriptionScope;
  events: NotificationEvent[];
  url: string;
  fromSeq: number;
  untilSeq?: number;
}

/** A delivery to make: inserted once per key, whatever number of times its commit is handled. */
export interface NewDelivery {
  key: string;
  subscriptionId: string;
  jobId: string;
  event: NotificationEvent;
  seq: number;
  url: string;
  body: string;
  createdAt: string;
}

/** What one commit changes in the notifier's tables; applied in one transaction, idempotently. */
export interface NotifierChanges {
  subscribed?: NotifierSubscriptionRow[];
  /** Subscriptions that ended at this sequence: their pending deliveries are cancelled. */
  unsubscribed?: { subscriptionId: string; untilSeq: number }[];
  jobs?: { jobId: string; name: string; project: string; accelerated: boolean }[];
  deliveries?: NewDelivery[];
}

/**
 * Applies one commit's changes. Every statement is idempotent (`on conflict do nothing`, `until_seq`
 * set only while null), so a commit redelivered after a crash or handled by a second notifier
 * changes nothing more: no second delivery, no repeated notification.
 *
 * ```sql
 * insert into "notification_deliveries" ("key", …, "status", "next_attempt_at", …) values ($1, …, 'pending', $9, …)
 * on conflict ("key") do nothing
 * ```
 */
export async function applyNotifierChanges(db: Kysely<Database>, c: NotifierChanges): Promise<void> {
  const n = withNotifications(db);
  const statements: ((trx: Kysely<NotificationDatabase>) => Promise<unknown>)[] = [];
  for (const s of c.subscribed ?? []) {
    statements.push((trx) => trx.insertInto('notification_subscriptions').values({
      id: s.subscriptionId, scope: s.scope.kind, job_id: s.scope.kind === 'job' ? s.scope.jobId : null, project: s.scope.project,
      events: JSON.stringify(s.events), url: s.url, from_seq: s.fromSeq, until_seq: s.untilSeq ?? null,
    }).onConflict((oc) => oc.column('id').doNothing()).execute());
  }
  for (const u of c.unsubscribed ?? []) {
    statements.push((trx) => trx.updateTable('notification_subscriptions').set({ until_seq: u.untilSeq }).where('id', '=', u.subscriptionId).where('until_seq', 'is', null).execute());
    statements.push((trx) => trx.updateTable('notification_deliveries').set({ status: 'cancelled', next_attempt_at: null }).where('subscription_id', '=', u.subscriptionId).where('status', '=', 'pending').execute());
  }
  for (const j of c.jobs ?? []) {
    // The log's text as it came (a commit injected around the API's checks may hold what PostgreSQL refuses).
    statements.push((trx) => trx.insertInto('notification_jobs').values({ job_id: storableText(j.jobId), name: storableText(j.name), project: storableText(j.project), accelerated: j.accelerated })
      .onConflict((oc) => oc.column('job_id').doNothing()).execute());
  }
  if (c.deliveries?.length) {
    const rows = c.deliveries.map((d) => ({
      key: d.key, subscription_id: d.subscriptionId, job_id: d.jobId, event: d.event, seq: d.seq, url: d.url, body: d.body,
      status: 'pending' as const, attempts: 0, next_attempt_at: d.createdAt, claimed_until: null, created_at: d.createdAt, delivered_at: null,
    }));
    statements.push((trx) => trx.insertInto('notification_deliveries').values(rows).onConflict((oc) => oc.column('key').doNothing()).execute());
  }
  // One statement needs no transaction of its own (two round trips fewer: most commits hold one job's creation).
  if (statements.length === 1) await statements[0](n);
  else if (statements.length) await n.transaction().execute(async (trx) => {
    for (const run of statements) await run(trx);
  });
}

/** The job as the notifier folded it, or undefined before its `JobCreated` was handled. */
export async function notifierJob(db: Kysely<Database>, jobId: string) {
  const r = await withNotifications(db).selectFrom('notification_jobs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
  return r && { jobId: r.job_id, name: r.name, project: r.project, accelerated: r.accelerated };
}

/**
 * The job as the notifier folded it and every subscription whose scope could hold it, in one round
 * trip (a notifiable event needs both): undefined before the job's `JobCreated` was handled.
 *
 * ```sql
 * select j.*, s.* from "notification_jobs" j left join "notification_subscriptions" s
 *   on (s.scope = 'job' and s.job_id = j.job_id) or (s.scope = 'project' and s.project = j.project)
 * where j.job_id = $1
 * ```
 */
export async function notifierJobWithSubscriptions(db: Kysely<Database>, jobId: string) {
  const rows = await withNotifications(db).selectFrom('notification_jobs as j')
    .leftJoin('notification_subscriptions as s', (join) => join.on((eb) => eb.or([
      eb.and([eb('s.scope', '=', 'job'), eb('s.job_id', '=', eb.ref('j.job_id'))]),
      eb.and([eb('s.scope', '=', 'project'), eb('s.project', '=', eb.ref('j.project'))]),
    ])))
    .select(['j.job_id', 'j.name', 'j.project', 'j.accelerated', 's.id', 's.scope', 's.job_id as s_job_id', 's.project as s_project', 's.events', 's.url', 's.from_seq', 's.until_seq'])
    .where('j.job_id', '=', jobId)
    .execute();
  if (!rows.length) return undefined;
  const r0 = rows[0];
  const subscriptions: NotifierSubscriptionRow[] = rows.filter((r) => r.id !== null).map((r) => ({
    subscriptionId: r.id!,
    scope: r.scope === 'job' ? { kind: 'job', jobId: r.s_job_id!, project: r.s_project! } : { kind: 'project', project: r.s_project! },
    events: r.events!, url: r.url!, fromSeq: r.from_seq!, ...(r.until_seq !== null ? { untilSeq: r.until_seq } : {}),
  }));
  return { job: { jobId: r0.job_id, name: r0.name, project: r0.project, accelerated: r0.accelerated }, subscriptions };
}

/** Every subscription (alive or ended) whose scope could hold this job: its own, or its project's. */
export async function subscriptionsForJob(db: Kysely<Database>, jobId: string, project: string): Promise<NotifierSubscriptionRow[]> {
  const rows = await withNotifications(db).selectFrom('notification_subscriptions').selectAll()
    .where((eb) => eb.or([eb.and([eb('scope', '=', 'job'), eb('job_id', '=', jobId)]), eb.and([eb('scope', '=', 'project'), eb('project', '=', project)])]))
    .execute();
  return rows.map((r) => ({
    subscriptionId: r.id,
    scope: r.scope === 'job' ? { kind: 'job', jobId: r.job_id!, project: r.project } : { kind: 'project', project: r.project },
    events: r.events, url: r.url, fromSeq: r.from_seq, ...(r.until_seq !== null ? { untilSeq: r.until_seq } : {}),
  }));
}

/** A delivery a sender holds: what it needs to send it once more. */
export interface ClaimedDelivery {
  key: string;
  subscriptionId: string;
  event: NotificationEvent;
  url: string;
  body: string;
  /** Attempts made before this one. */
  attempts: number;
}

/**
 * Takes up to `limit` due deliveries for `claimMs`, oldest due first; rows another sender holds are
 * skipped (`for update skip locked`), so senders in several processes never send one at once.
 *
 * ```sql
 * update "notification_deliveries" set "claimed_until" = $1 where "key" in (
 *   select "key" from "notification_deliveries" where "status" = 'pending' and "next_attempt_at" <= $2
 *   and ("claimed_until" is null or "claimed_until" < $2) order by "next_attempt_at" limit $3 for update skip locked)
 * returning "key", "subscription_id", "event", "url", "body", "attempts"
 * ```
 */
export async function claimDueDeliveries(db: Kysely<Database>, now: Date, limit: number, claimMs: number): Promise<ClaimedDelivery[]> {
  const n = withNotifications(db);
  const rows = await n.updateTable('notification_deliveries')
    .set({ claimed_until: new Date(now.getTime() + claimMs) })
    .where('key', 'in', (eb) => eb.selectFrom('notification_deliveries').select('key')
      .where('status', '=', 'pending').where('next_attempt_at', '<=', now)
      .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', now)]))
      .orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked())
    .returning(['key', 'subscription_id', 'event', 'url', 'body', 'attempts'])
    .execute();
  return rows.map((r) => ({ key: r.key, subscriptionId: r.subscription_id, event: r.event, url: r.url, body: r.body, attempts: r.attempts }));
}

/** When the next pending delivery is due, or its sender's claim runs out (null: none is pending). */
export async function nextDeliveryDue(db: Kysely<Database>): Promise<Date | null> {
  const r = await withNotifications(db).selectFrom('notification_deliveries')
    .select(sql<Date | string | null>`min(greatest(next_attempt_at, coalesce(claimed_until, next_attempt_at)))`.as('due'))
    .where('status', '=', 'pending').executeTakeFirst();
  return r?.due ? new Date(r.due as unknown as string) : null;
}

/** One attempt's result, and what it makes of the delivery. */
export interface AttemptRecord {
  key: string;
  attempt: number;
  at: Date;
  statusCode: number | null;
  outcome: AttemptOutcome;
  error: string | null;
  durationMs: number;
  /** When the next attempt is due (outcome `retry`). */
  nextAttemptAt?: Date;
}

/** Records an attempt and moves the delivery on, in one transaction; the claim is released. */
export async function recordAttempt(db: Kysely<Database>, a: AttemptRecord): Promise<void> {
  const status: DeliveryStatus = a.outcome === 'retry' ? 'pending' : a.outcome;
  await withNotifications(db).transaction().execute(async (trx) => {
    await trx.insertInto('notification_attempts').values({ key: a.key, attempt: a.attempt, at: a.at, status_code: a.statusCode, outcome: a.outcome, error: a.error, duration_ms: a.durationMs })
      .onConflict((oc) => oc.columns(['key', 'attempt']).doNothing()).execute();
    await trx.updateTable('notification_deliveries').set({
      status, attempts: a.attempt, claimed_until: null,
      next_attempt_at: a.outcome === 'retry' ? (a.nextAttemptAt ?? a.at) : null,
      ...(a.outcome === 'delivered' ? { delivered_at: a.at } : {}),
    }).where('key', '=', a.key).where('status', '=', 'pending').execute();
  });
}

/** The subscription's signing secret (written by the API at creation), or undefined once it is gone. */
export async function subscriptionSecret(db: Kysely<Database>, subscriptionId: string): Promise<string | undefined> {
  const r = await withNotifications(db).selectFrom('notification_secrets').select('secret').where('subscription_id', '=', subscriptionId).executeTakeFirst();
  return r?.secret;
}

/** Stores the secret unless the subscription has one (a retried creation keeps the first); resolves with the one stored. */
export async function storeSubscriptionSecret(db: Kysely<Database>, subscriptionId: string, secret: string): Promise<string> {
  await withNotifications(db).insertInto('notification_secrets').values({ subscription_id: subscriptionId, secret }).onConflict((oc) => oc.column('subscription_id').doNothing()).execute();
  return (await subscriptionSecret(db, subscriptionId)) ?? secret;
}

export async function deleteSubscriptionSecret(db: Kysely<Database>, subscriptionId: string): Promise<void> {
  await withNotifications(db).deleteFrom('notification_secrets').where('subscription_id', '=', subscriptionId).execute();
}

/** The delivery log of one subscription (or of one job), newest first, each with its attempts in order. */
export async function listDeliveries(db: Kysely<Database>, q: { subscriptionId?: string; jobId?: string; limit: number }): Promise<DeliveryView[]> {
  const n = withNotifications(db);
  let query = n.selectFrom('notification_deliveries').selectAll();
  if (q.subscriptionId) query = query.where('subscription_id', '=', q.subscriptionId);
  if (q.jobId) query = query.where('job_id', '=', q.jobId);
  const rows = await query.orderBy('seq', 'desc').orderBy('key').limit(q.limit).execute();
  if (!rows.length) return [];
  const attempts = await n.selectFrom('notification_attempts').selectAll().where('key', 'in', rows.map((r) => r.key)).orderBy('key').orderBy('attempt').execute();
  return rows.map((r) => ({
    key: r.key, subscriptionId: r.subscription_id, jobId: r.job_id, event: r.event, seq: r.seq, status: r.status,
    attempts: attempts.filter((a) => a.key === r.key).map((a) => ({ attempt: a.attempt, at: iso(a.at), statusCode: a.status_code, outcome: a.outcome, error: a.error, durationMs: a.duration_ms })),
    createdAt: iso(r.created_at), nextAttemptAt: iso(r.next_attempt_at), deliveredAt: iso(r.delivered_at),
  }));
}

/** Pending deliveries, for `/metrics` and tests: how far behind the senders are. */
export async function pendingDeliveries(db: Kysely<Database>): Promise<number> {
  const r = await withNotifications(db).selectFrom('notification_deliveries').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'pending').executeTakeFirst();
  return r?.n ?? 0;
}
