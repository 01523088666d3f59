import type { OutputStream } from './task-runtime';

/**
 * One line of task output as stored in TY_LOGS. `seq` counts a task attempt's lines from 1 across
 * both streams, so a reader can order them and see a gap.
 */
export interface LogLine {
  seq: number;
  /** ISO-8601 instant the agent read the line. */
  ts: string;
  stream: OutputStream;
  text: string;
}

/**
 * The body of one TY_LOGS message on `ty.log.<jobId>.<task>`: consecutive lines of one attempt.
 * `Nats-Msg-Id` is `logBatchMsgId(...)`, so a batch sent twice is stored once.
 *
 * @example
 * { "jobId": "j1", "task": "worker-0", "attempt": 1,
 *   "lines": [{ "seq": 1, "ts": "2026-03-13T10:00:00.000Z", "stream": "stdout", "text": "epoch 1" }] }
 */
export interface LogBatch {
  jobId: string;
  task: string;
  attempt: number;
  lines: LogLine[];
}

/** `<jobId>/<task>/<attempt>/<first seq>`: stable across resends of the same batch. */
export const logBatchMsgId = (b: Pick<LogBatch, 'jobId' | 'task' | 'attempt'>, firstSeq: number) =>
  `${b.jobId}/${b.task}/${b.attempt}/${firstSeq}`;
