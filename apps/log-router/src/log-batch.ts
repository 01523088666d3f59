/**
 * One message of `TY_LOGS`: consecutive lines of one task attempt, as the node agent batches them.
 * `seq` numbers a task attempt's lines from 1 with no gaps; the log router keeps them in that order.
 */
export interface LogBatch {
  jobId: string;
  task: string;
  attempt: number;
  lines: LogLine[];
}

export interface LogLine {
  seq: number;
  /** ISO-8601 time the agent read the line. */
  ts: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface LogRow extends LogLine {
  jobId: string;
  task: string;
  attempt: number;
}

/** Decodes and checks a batch; a malformed one yields `undefined` (it is dropped with a warning). */
export function decodeLogBatch(data: Uint8Array): LogBatch | undefined {
  let b: LogBatch;
  try {
    b = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  const ok =
    b && typeof b.jobId === 'string' && typeof b.task === 'string' && Number.isInteger(b.attempt) && Array.isArray(b.lines) &&
    b.lines.every((l) => Number.isInteger(l?.seq) && typeof l.text === 'string' && typeof l.ts === 'string' && (l.stream === 'stdout' || l.stream === 'stderr'));
  return ok ? b : undefined;
}

export function rowsOf(batch: LogBatch): LogRow[] {
  return batch.lines.map((l) => ({ jobId: batch.jobId, task: batch.task, attempt: batch.attempt, ...l }));
}
