/**
 * The body of one `TY_LOGS` message on `ty.log.<jobId>.<task>.<nodeId>`: consecutive lines of one task attempt,
 * as the node agent batches them (wire version 2). Columnar, so thousands of lines cost one
 * `JSON.parse` of a few arrays instead of one object per line.
 *
 * - `seq` numbers an attempt's lines from 1 across stdout and stderr with no gaps; line `i` of a batch
 *   has `firstSeq + i`.
 * - `lines[i]` is the line's text without its `\n` (a `\r` before it is dropped). A line whose bytes
 *   are not UTF-8, or hold a NUL (PostgreSQL text cannot), also has `raw[i]`: its exact bytes in
 *   base64; `lines[i]` is then the lossy UTF-8 reading (U+FFFD for bad bytes and NUL), for display
 *   and search.
 * - A line longer than fits in a message travels as `piece` messages (lines empty): its bytes cut in
 *   order, `index` from 0, the last one `last: true`. The router joins them into one line.
 * - `eof` marks the attempt's last batch: no line follows `firstSeq + lines.length - 1`. An attempt
 *   with nothing left to send ends with an empty batch (`lines: []`, `firstSeq` = last seq + 1).
 *
 * `Nats-Msg-Id` is {@link logBatchMsgId}, so a batch sent twice within the duplicate window is stored
 * once; the log store ignores repeats after it too.
 *
 * @example
 * { "v": 2, "jobId": "j1", "task": "worker-0", "attempt": 1, "firstSeq": 41, "t0": 1773396000000,
 *   "dt": [0, 0, 3], "err": [2], "lines": ["epoch 1", "loss=0.3", "warn: slow"], "raw": { "1": "bG9zcz0wLjP/" } }
 */
export interface LogBatch {
  v: 2;
  jobId: string;
  task: string;
  /** Job-level attempt of the task (`TaskAssigned.attempt`). */
  attempt: number;
  firstSeq: number;
  /** Epoch milliseconds the agent read the first line. */
  t0: number;
  /** Per line: milliseconds after `t0` (≥ 0). */
  dt: number[];
  /** Positions (0-based) of stderr lines; every other line is stdout. */
  err?: number[];
  lines: string[];
  /** Position → base64 of the exact bytes, for lines that are not plain UTF-8. */
  raw?: Record<string, string>;
  /** One piece of a line too long for one message; `lines` is then empty. */
  piece?: LogLinePiece;
  /** This is the attempt's last batch. */
  eof?: true;
}

/** A cut of one long line (seq `firstSeq`), base64 bytes; pieces arrive in order on the subject. */
export interface LogLinePiece {
  index: number;
  last: boolean;
  /** Base64 of this piece's bytes. */
  data: string;
  /** `stdout` unless set. */
  stream?: 'stderr';
}

/** The last seq a batch covers (for an empty eof batch: the attempt's last line, or 0). */
export const lastSeqOf = (b: Pick<LogBatch, 'firstSeq' | 'lines' | 'piece'>): number =>
  b.piece ? b.firstSeq : b.firstSeq + b.lines.length - 1;

/** `<jobId>/<task>/<attempt>/<firstSeq>[/p<index>][/eof]`: stable across resends of the same batch. */
export function logBatchMsgId(b: Pick<LogBatch, 'jobId' | 'task' | 'attempt' | 'firstSeq' | 'piece' | 'eof' | 'lines'>): string {
  const base = `${b.jobId}/${b.task}/${b.attempt}/${b.firstSeq}`;
  if (b.piece) return `${base}/p${b.piece.index}`;
  return b.eof && b.lines.length === 0 ? `${base}/eof` : base;
}

const utf8 = new TextDecoder();
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * Decodes and checks a batch; anything malformed yields `undefined` (the router drops it with a
 * warning rather than stall every task behind it).
 */
export function decodeLogBatch(data: Uint8Array): LogBatch | undefined {
  let b: LogBatch;
  try {
    b = JSON.parse(utf8.decode(data));
  } catch {
    return undefined;
  }
  if (!b || b.v !== 2 || typeof b.jobId !== 'string' || typeof b.task !== 'string') return undefined;
  if (!isCount(b.attempt) || !Number.isSafeInteger(b.firstSeq) || b.firstSeq < 1 || !Number.isFinite(b.t0)) return undefined;
  if (!Array.isArray(b.lines) || !Array.isArray(b.dt) || b.dt.length !== b.lines.length) return undefined;
  if (b.err !== undefined && !(Array.isArray(b.err) && b.err.every((i) => isCount(i) && i < b.lines.length))) return undefined;
  if (b.raw !== undefined && (typeof b.raw !== 'object' || b.raw === null)) return undefined;
  if (b.piece !== undefined) {
    const p = b.piece;
    if (!p || !isCount(p.index) || typeof p.last !== 'boolean' || typeof p.data !== 'string' || b.lines.length !== 0) return undefined;
  }
  for (let i = 0; i < b.lines.length; i++) {
    if (typeof b.lines[i] !== 'string' || !isCount(b.dt[i])) return undefined;
  }
  return b;
}

/**
 * Sent by the log router on `ty.logstored.<jobId>.<task>` (plain NATS) after a batch of the task is
 * stored, so a live follow reads at once instead of polling. Best effort: followers still poll slowly.
 */
export interface LogStoredNotice {
  attempt: number;
  /** Highest seq now stored contiguously is at least this. */
  lastSeq: number;
  /** The attempt's last line is stored. */
  eof: boolean;
}

/** One line of a batch, spelled out (tests, tools). `raw` is base64 of the exact bytes when set. */
export interface ExpandedLogLine {
  seq: number;
  /** Epoch milliseconds the agent read it. */
  ts: number;
  stream: 'stdout' | 'stderr';
  text: string;
  raw?: string;
}

/** The lines of a (non-piece) batch as objects. */
export function expandLogBatch(b: LogBatch): ExpandedLogLine[] {
  const err = new Set(b.err ?? []);
  return b.lines.map((text, i) => ({
    seq: b.firstSeq + i,
    ts: b.t0 + b.dt[i],
    stream: err.has(i) ? 'stderr' : 'stdout',
    text,
    ...(b.raw?.[i] !== undefined ? { raw: b.raw[i] } : {}),
  }));
}
