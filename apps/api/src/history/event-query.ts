import { FieldCode, JOB_EVENT_TYPES, NODE_EVENT_TYPES, SUBJECT_TOKEN } from '@trainyard/contracts';
import type { EventCursor, EventQuery } from '@trainyard/db';
import { ParamCheck } from '../system/query-params';

const EVENT_TYPES: readonly string[] = [...JOB_EVENT_TYPES, ...NODE_EVENT_TYPES];
/** `<seq>` or `<seq>.<idx>`: an event id as `GET /v1/events` gives them (and SSE's `id:`). */
const CURSOR = /^(\d{1,16})(?:\.(\d{1,9}))?$/;
const SEQUENCE = /^\d{1,16}$/;

/** What `GET /v1/events` was asked, checked. `empty`: the filter can match nothing (an unknown project). */
export interface ParsedEventQuery {
  query: EventQuery;
  follow: boolean;
  empty: boolean;
}

/**
 * Reads the query string of `GET /v1/events` (and `Last-Event-ID`): every bad value is reported at
 * once with its parameter's name, nothing is half-read.
 *
 * - `after=<seq>[.<idx>]` (or `Last-Event-ID`): strictly after that event — the paging cursor.
 * - `since`/`until=<seq>|<ISO instant>`: inclusive bounds, by stream sequence or event time.
 * - `type=A,B`: event types (each must exist); `job`, `node`, `actor`, `project`: equalities.
 * - `limit` 1–1000 (default 100); `follow=true`: server-sent events, live (no `until`).
 */
export function parseEventQuery(q: Record<string, string | undefined>, lastEventId?: string): ParsedEventQuery {
  const check = new ParamCheck();
  const query: EventQuery = { limit: check.int('limit', q.limit, { min: 1, max: 1000, fallback: 100 }) };
  const rawAfter = q.after ?? lastEventId;
  if (rawAfter !== undefined && rawAfter !== '') {
    const name = q.after !== undefined ? 'after' : 'Last-Event-ID';
    const m = CURSOR.exec(rawAfter);
    if (!m) check.fail(name, FieldCode.InvalidFormat, `${name} must be an event id (<seq> or <seq>.<idx>)`);
    else query.after = cursor(m);
  }
  bound(check, 'since', q.since, (seq) => (query.sinceSeq = seq), (t) => (query.sinceTime = t));
  bound(check, 'until', q.until, (seq) => (query.untilSeq = seq), (t) => (query.untilTime = t));
  if (q.type !== undefined) {
    const types = q.type.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = types.filter((t) => !EVENT_TYPES.includes(t));
    if (!types.length || unknown.length) check.fail('type', FieldCode.InvalidFormat, `type must list event types (unknown: ${unknown.join(', ').slice(0, 200) || 'none given'})`);
    else query.types = types;
  }
  if (q.job !== undefined) query.jobId = check.matches('job', q.job, SUBJECT_TOKEN, 'a job id');
  if (q.node !== undefined) query.nodeId = check.matches('node', q.node, SUBJECT_TOKEN, 'a node id');
  if (q.actor !== undefined) query.actor = check.matches('actor', q.actor, /^.{1,256}$/su, 'at most 256 characters');
  let empty = false;
  if (q.project !== undefined) {
    check.matches('project', q.project, /^.{1,128}$/su, 'a project id');
    // A project holds jobs: its events are its jobs'.
    query.jobsOnly = true;
    query.projects = [q.project];
  }
  const follow = check.bool('follow', q.follow);
  if (follow && q.until !== undefined) check.fail('until', FieldCode.Conflict, 'until cannot be combined with follow=true');
  check.done();
  return { query, follow, empty };
}

function cursor(m: RegExpExecArray): EventCursor {
  return m[2] === undefined ? { seq: Number(m[1]) } : { seq: Number(m[1]), idx: Number(m[2]) };
}

function bound(check: ParamCheck, name: string, raw: string | undefined, seq: (n: number) => void, time: (t: Date) => void): void {
  if (raw === undefined || raw === '') return;
  if (SEQUENCE.test(raw)) return seq(Number(raw));
  const t = check.instant(name, raw);
  if (t && !Number.isNaN(t.getTime())) time(t);
}
