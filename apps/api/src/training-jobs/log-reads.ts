import {
  lastLogAttempt, listLogAttempts, logBytesUpTo, readLogChunks, readLogLines, searchLogLines, tailLogLines,
  type DatabaseHandle, type LogAttemptView, type LogChunkView, type LogLineView, type LogSearchHit, type SearchLogsQuery,
} from '@trainyard/db';

export type { LogAttemptView, LogChunkView, LogLineView, LogSearchHit, SearchLogsQuery };

/** Injection token of {@link LogReads}. */
export const LOG_READS = Symbol('LogReads');

/** What the log endpoints read: the log router's store (libs/db log queries). */
export interface LogReads {
  readLines(q: { jobId: string; task: string; attempt: number; afterSeq?: number; from?: Date; to?: Date; limit: number }): Promise<LogLineView[]>;
  tail(q: { jobId: string; task: string; attempt: number; lines: number }): Promise<LogLineView[]>;
  /** Latest attempt that has output for the task (0 when none). */
  lastAttempt(jobId: string, task: string): Promise<number>;
  attempts(jobId: string, task?: string): Promise<LogAttemptView[]>;
  chunks(q: { jobId: string; task: string; attempt: number; afterSeq: number; upToSeq: number; limit: number }): Promise<LogChunkView[]>;
  bytesUpTo(q: { jobId: string; task: string; attempt: number; upToSeq: number }): Promise<number>;
  search(q: SearchLogsQuery): Promise<LogSearchHit[]>;
}

/** {@link LogReads} over the read-model database. */
export function dbLogReads(handle: Pick<DatabaseHandle, 'db'>): LogReads {
  const db = handle.db;
  return {
    readLines: (q) => readLogLines(db, q),
    tail: (q) => tailLogLines(db, q),
    lastAttempt: (jobId, task) => lastLogAttempt(db, jobId, task),
    attempts: (jobId, task) => listLogAttempts(db, jobId, task),
    chunks: (q) => readLogChunks(db, q),
    bytesUpTo: (q) => logBytesUpTo(db, q),
    search: (q) => searchLogLines(db, q),
  };
}
