import type { ColumnType, Kysely } from 'kysely';
import type { Database, Timestamp } from '../database';

/**
 * Tables of the log store and the resource samples (migration 0003). Not projections: the log router
 * writes them and rebuilds leave them alone. Kept beside their queries and added to a handle with
 * {@link withLogTables}.
 */
// A type alias (not an interface) so it satisfies `withTables`' index-signature constraint.
export type LogStoreTables = {
  log_chunks: LogChunksTable;
  log_attempts: LogAttemptsTable;
  log_line_pieces: LogLinePiecesTable;
  log_checkpoint: LogCheckpointTable;
  metric_samples: MetricSamplesTable;
};

/** One stored batch of one task attempt's lines; primary key `(job_id, task, attempt, last_seq)`. */
export interface LogChunksTable {
  job_id: string;
  task: string;
  attempt: number;
  first_seq: number;
  last_seq: number;
  first_ts: Timestamp;
  last_ts: Timestamp;
  line_count: number;
  /** Per line: milliseconds after `first_ts`. */
  ts_offsets: number[];
  /** 0-based positions of stderr lines. */
  stderr_idx: number[];
  /** Position → base64 of the exact bytes of lines that are not UTF-8 text. */
  raw: ColumnType<Record<string, string> | null, string | null, string | null>;
  /** Lines joined by `\n`. */
  body: string;
  /** Bytes of these lines in a downloaded file (exact bytes + `\n` each). */
  bytes: number;
}

/** Totals and end mark of one task attempt's log. */
export interface LogAttemptsTable {
  job_id: string;
  task: string;
  attempt: number;
  last_seq: number;
  bytes: number;
  first_ts: Timestamp;
  last_ts: Timestamp;
  /** Seq of the attempt's last line once its eof batch is stored (0 for an attempt without lines). */
  eof_seq: number | null;
}

/** A piece of a long line waiting for the rest of it. */
export interface LogLinePiecesTable {
  job_id: string;
  task: string;
  attempt: number;
  seq: number;
  idx: number;
  ts: Timestamp;
  stderr: boolean;
  data: Uint8Array;
}

export interface LogCheckpointTable {
  name: string;
  /** Last TY_LOGS stream sequence stored. */
  seq: number;
}

/** One task's resource sample; primary key `(job_id, task, attempt, ts)`. */
export interface MetricSamplesTable {
  job_id: string;
  task: string;
  attempt: number;
  node_id: string;
  ts: Timestamp;
  values: ColumnType<Record<string, number>, string, string>;
}

export type LogDatabase = Database & LogStoreTables;

/** The same handle, typed with the log-store tables too. */
export const withLogTables = (db: Kysely<Database>): Kysely<LogDatabase> => db.withTables<LogStoreTables>() as unknown as Kysely<LogDatabase>;
