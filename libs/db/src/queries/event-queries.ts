import { type ClusterEventView, type DomainEvent, eventText, type StoredCommit } from '@trainyard/contracts';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, EventsTable } from '../database';
import { PROJECT_OF_JOB } from './job-queries';
import { iso } from './iso';

/** A position in the index: after this event (`idx` omitted = after the whole commit). */
export interface EventCursor {
  seq: number;
  idx?: number;
}

/** Filters of the event index; every one given must hold. Bounds are inclusive. */
export interface EventQuery {
  after?: EventCursor;
  sinceSeq?: number;
  sinceTime?: Date;
  untilSeq?: number;
  untilTime?: Date;
  types?: readonly string[];
  jobId?: string;
  /** Events naming this node (its own subject, a task on it, a placement, an isolation). */
  nodeId?: string;
  actor?: string;
  /** Only events about jobs (the project filter: a project holds jobs, not nodes). */
  jobsOnly?: boolean;
  /** Only events of jobs of these projects (issue 11: a project filter, or what the caller may read). */
  projects?: readonly string[];
  limit: number;
}

/**
 * A page of the event index in log order.
 *
 * ```sql
 * select * from "events" where ("seq", "idx") > ($1, $2) and "type" in ($3, $4) and $5 = any("node_ids")
 * order by "seq", "idx" limit $6
 * ```
 */
export async function listIndexedEvents(db: Kysely<Database>, q: EventQuery): Promise<ClusterEventView[]> {
  let s = db.selectFrom('events').selectAll();
  if (q.after) s = s.where(sql<boolean>`(seq, idx) > (${q.after.seq}, ${q.after.idx ?? 2_147_483_647})`);
  if (q.sinceSeq !== undefined) s = s.where('seq', '>=', q.sinceSeq);
  if (q.untilSeq !== undefined) s = s.where('seq', '<=', q.untilSeq);
  if (q.sinceTime) s = s.where('time', '>=', q.sinceTime);
  if (q.untilTime) s = s.where('time', '<=', q.untilTime);
  if (q.types?.length) s = s.where('type', 'in', [...q.types]);
  if (q.jobId !== undefined) s = s.where('job_id', '=', q.jobId);
  if (q.nodeId !== undefined) s = s.where(sql<boolean>`node_ids @> array[${q.nodeId}]::text[]`);
  if (q.actor !== undefined) s = s.where('actor', '=', q.actor);
  if (q.jobsOnly) s = s.where('aggregate', '=', 'job');
  if (q.projects) {
    const projects = q.projects.length ? [...q.projects] : [''];
    s = s.where('job_id', 'in', db.selectFrom('jobs').select('id').where(PROJECT_OF_JOB, 'in', projects));
  }
  return (await s.orderBy('seq').orderBy('idx').limit(q.limit).execute()).map(toView);
}

/** How far before a moment its cut is looked for first (see `sequenceAt`). */
const CUT_WINDOW_MS = 60_000;

/**
 * The sequence of the last commit whose events all happened at or before `time`: the cut a past
 * moment is folded up to. 0 when nothing had happened yet.
 *
 * ```sql
 * select "time" from "events" where "time" <= $1 order by "time" desc limit 1      -- the last event by then
 * select max("seq" + 0) from "events" where "time" <= $1 and "time" > $2 - interval '1 minute'
 * ```
 * Event times come from the deciding service's clock and may be out of step across services by a
 * few milliseconds; the cut is a prefix of the log (everything up to that sequence), so what it
 * folds is a state the log really passed through. Sequence and time are nearly in step, so the
 * minute before the last event at or before the moment holds its cut, and the (time, seq) index
 * reads only that much, however quiet the moment was. A commit that reached the log more than a
 * minute after its events happened (a late report) may leave the cut just before it.
 *
 * `seq + 0`: a plain `max(seq)` lets PostgreSQL walk the primary key down from the newest commit,
 * filtering on time, which reads the whole log after the moment (about 120 ms at a million events
 * for a moment early in it); `+ 0` keeps it on the time range.
 */
export async function sequenceAt(db: Kysely<Database>, time: Date): Promise<number> {
  const last = await db.selectFrom('events').select('time').where('time', '<=', time).orderBy('time', 'desc').limit(1).executeTakeFirst();
  if (!last) return 0;
  const from = new Date(new Date(last.time).getTime() - CUT_WINDOW_MS);
  const row = await db
    .selectFrom('events')
    .select(sql<string | null>`max(seq + 0)`.as('seq'))
    .where('time', '<=', time)
    .where('time', '>', from)
    .executeTakeFirst();
  return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq);
}

/**
 * The commits of one aggregate (`ty.ev.job.<id>`) or of every aggregate, up to `upTo`, rebuilt from
 * the index in log order — the events exactly as the log holds them, with their commit's actor and
 * command id. What a past moment folds.
 */
export async function indexedCommits(db: Kysely<Database>, opts: { subject?: string; upTo: number; fromSeq?: number }): Promise<StoredCommit[]> {
  let s = db.selectFrom('events').select(['seq', 'idx', 'subject', 'type', 'version', 'time', 'actor', 'command_id', 'data']).where('seq', '<=', opts.upTo);
  if (opts.subject) s = s.where('subject', '=', opts.subject);
  if (opts.fromSeq) s = s.where('seq', '>=', opts.fromSeq);
  const rows = await s.orderBy('seq').orderBy('idx').execute();
  return commitsOf(rows);
}

/** Groups index rows (in log order) back into commits. */
export function commitsOf(rows: readonly Pick<Selectable<EventsTable>, 'seq' | 'subject' | 'type' | 'version' | 'time' | 'actor' | 'command_id' | 'data'>[]): StoredCommit[] {
  const commits: StoredCommit[] = [];
  let last: StoredCommit | undefined;
  for (const r of rows) {
    const seq = Number(r.seq);
    if (!last || last.seq !== seq) {
      last = { seq, subject: r.subject, events: [], meta: { commandId: r.command_id, correlationId: r.command_id, actor: r.actor } };
      commits.push(last);
    }
    last.events.push({ type: r.type, version: r.version, time: iso(r.time), data: r.data } as DomainEvent);
  }
  return commits;
}

function toView(r: Selectable<EventsTable>): ClusterEventView {
  const seq = Number(r.seq);
  const e = { type: r.type, version: r.version, time: iso(r.time), data: r.data } as DomainEvent;
  let text: { en: string; zh: string };
  try {
    text = eventText(e);
  } catch {
    // An event this build has no text for is still listed, by its type.
    text = { en: r.type, zh: r.type };
  }
  return {
    id: `${seq}.${r.idx}`,
    seq,
    idx: r.idx,
    subject: r.subject,
    aggregate: { kind: r.aggregate, id: r.aggregate_id },
    type: r.type,
    time: e.time,
    jobId: r.job_id,
    nodeIds: r.node_ids,
    task: r.task,
    actor: r.actor,
    commandId: r.command_id,
    message: text.en,
    messageZh: text.zh,
    data: r.data,
  };
}
