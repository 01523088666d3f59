import { type CommitMeta, type DomainEvent, type StoredCommit, Subjects, SUBJECT_TOKEN } from '@trainyard/contracts';

/**
 * The history export (`yard admin export > history.ndjson`): NDJSON, a header line, then one line
 * per commit in stream order —
 *
 * ```json
 * {"format":"trainyard-history","version":1,"first":1,"last":5210}
 * {"seq":1,"subject":"ty.ev.node.node-1","time":"2026-12-02T15:00:00.000Z","sha256":"9f…","commit":{"events":[…],"meta":{…}}}
 * ```
 *
 * `time` is the commit's last event time; `sha256` is the digest of the line's canonical body
 * (`canonicalCommit`), so a line edited or cut short is refused on import, by line number. It holds
 * the workload's aggregates (jobs and nodes); identities (`ty.ev.iam.*`: tokens, bindings) stay with
 * their cluster, so sequences may have gaps where they were.
 */
export const EXPORT_FORMAT = 'trainyard-history';
export const EXPORT_VERSION = 1;

/** SHA-256 as lower-case hex; the edge supplies it (node:crypto), the format stays pure. */
export type Digest = (text: string) => string;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: number;
  /** First and last sequence in the file (0/0 when empty). */
  first: number;
  last: number;
}

/** What the checksum covers: sequence, subject, events and meta, in this key order. */
export function canonicalCommit(c: StoredCommit): string {
  return JSON.stringify({ seq: c.seq, subject: c.subject, events: c.events, meta: c.meta });
}

export function headerLine(first: number, last: number): string {
  return JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, first, last } satisfies ExportHeader);
}

export function exportLine(c: StoredCommit, digest: Digest): string {
  return JSON.stringify({ seq: c.seq, subject: c.subject, time: c.events.at(-1)?.time ?? null, sha256: digest(canonicalCommit(c)), commit: { events: c.events, meta: c.meta } });
}

/** Why a line of an export is refused: its 1-based line number, a stable code and the field at fault. */
export interface ExportLineError {
  line: number;
  code: 'NOT_JSON' | 'BAD_HEADER' | 'BAD_FIELD' | 'CHECKSUM_MISMATCH' | 'OUT_OF_ORDER' | 'NOT_CONTIGUOUS' | 'COUNT_MISMATCH';
  field: string;
  message: string;
}

export type ParsedExport = { ok: true; header: ExportHeader; commits: StoredCommit[] } | { ok: false; errors: ExportLineError[] };

/**
 * Reads a whole export and checks every line: the header, each commit's shape and checksum, strictly
 * increasing sequences, and — with `contiguousFrom1` — no gap from 1 on. At most `maxErrors` are
 * reported.
 */
export function parseExport(text: string, digest: Digest, opts: { contiguousFrom1?: boolean; maxErrors?: number } = {}): ParsedExport {
  const max = opts.maxErrors ?? 20;
  const errors: ExportLineError[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const fail = (e: ExportLineError) => void (errors.length < max && errors.push(e));
  const header = parseHeader(lines[0], fail);
  const commits: StoredCommit[] = [];
  for (let i = 1; i < lines.length && errors.length < max; i++) {
    const c = parseLine(lines[i], i + 1, digest, fail);
    if (!c) continue;
    const prev = commits.at(-1)?.seq ?? 0;
    if (c.seq <= prev) fail({ line: i + 1, code: 'OUT_OF_ORDER', field: 'seq', message: `sequence ${c.seq} does not follow ${prev}` });
    else if (opts.contiguousFrom1 && c.seq !== prev + 1) fail({ line: i + 1, code: 'NOT_CONTIGUOUS', field: 'seq', message: `sequence ${c.seq} leaves a gap after ${prev}: an import needs the whole log from 1` });
    commits.push(c);
  }
  if (header && errors.length === 0) {
    const first = commits[0]?.seq ?? 0;
    const last = commits.at(-1)?.seq ?? 0;
    if (header.first !== first || header.last !== last) fail({ line: 1, code: 'COUNT_MISMATCH', field: 'last', message: `the header says ${header.first}–${header.last}, the file holds ${first}–${last} (cut short?)` });
  }
  return errors.length || !header ? { ok: false, errors } : { ok: true, header, commits };
}

function parseHeader(line: string | undefined, fail: (e: ExportLineError) => void): ExportHeader | undefined {
  let h: Partial<ExportHeader> | undefined;
  try {
    h = line === undefined ? undefined : JSON.parse(line);
  } catch {
    // Reported below.
  }
  if (!h || h.format !== EXPORT_FORMAT || h.version !== EXPORT_VERSION || !isSeq(h.first, true) || !isSeq(h.last, true)) {
    fail({ line: 1, code: 'BAD_HEADER', field: 'format', message: `the first line must be the ${EXPORT_FORMAT} header, version ${EXPORT_VERSION}` });
    return undefined;
  }
  return h as ExportHeader;
}

function parseLine(line: string, n: number, digest: Digest, fail: (e: ExportLineError) => void): StoredCommit | undefined {
  let raw: any;
  try {
    raw = JSON.parse(line);
  } catch {
    fail({ line: n, code: 'NOT_JSON', field: '', message: 'the line is not JSON' });
    return undefined;
  }
  const bad = (field: string, message: string) => void fail({ line: n, code: 'BAD_FIELD', field, message });
  if (!raw || typeof raw !== 'object') return bad('', 'expected an object'), undefined;
  if (!isSeq(raw.seq)) return bad('seq', 'seq must be a positive integer'), undefined;
  const aggregate = typeof raw.subject === 'string' ? Subjects.parseAggregate(raw.subject) : undefined;
  if (!aggregate || !SUBJECT_TOKEN.test(aggregate.id)) return bad('subject', 'subject must be ty.ev.job.<id> or ty.ev.node.<id> (an export holds the workload, not identities)'), undefined;
  const events = raw.commit?.events;
  if (!Array.isArray(events) || events.length === 0) return bad('commit.events', 'a commit holds 1..n events'), undefined;
  for (const [i, e] of events.entries()) {
    if (!e || typeof e.type !== 'string' || !Number.isInteger(e.version) || typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time)) || typeof e.data !== 'object' || e.data === null) {
      return bad(`commit.events[${i}]`, 'an event is { type, version, time, data }'), undefined;
    }
  }
  const meta = raw.commit.meta;
  if (!meta || typeof meta.commandId !== 'string' || typeof meta.actor !== 'string' || typeof meta.correlationId !== 'string') return bad('commit.meta', 'meta needs commandId, correlationId and actor'), undefined;
  const commit: StoredCommit = { seq: raw.seq, subject: raw.subject, events: events as DomainEvent[], meta: meta as CommitMeta };
  if (raw.sha256 !== digest(canonicalCommit(commit))) {
    fail({ line: n, code: 'CHECKSUM_MISMATCH', field: 'sha256', message: `the checksum of commit ${raw.seq} does not match its content` });
    return undefined;
  }
  return commit;
}

const isSeq = (v: unknown, zero = false): v is number => Number.isSafeInteger(v) && (v as number) >= (zero ? 0 : 1);
