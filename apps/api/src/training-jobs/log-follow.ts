import type { NatsConnection } from '@nats-io/transport-node';
import { Subjects } from '@trainyard/contracts';
import type { FastifyReply } from 'fastify';
import type { ReadModel } from '../read-model';
import type { LogReads } from './log-reads';

const FINISHED = new Set(['succeeded', 'failed', 'stopped', 'lost']);
/** Lines read and written per round. */
const PAGE = 10_000;

export interface FollowOptions {
  /** Poll interval when no notice comes (notices are best effort). Default 1000 ms. */
  pollMs?: number;
  /** A task that ended without an eof mark (its agent died) is over after this long without lines. Default 5 s. */
  noEofGraceMs?: number;
  /** How long to wait for the task's end state to show once its last line was sent. Default 3 s. */
  stateWaitMs?: number;
  /** Ends the stream early (the API is shutting down). */
  signal?: AbortSignal;
}

/**
 * Streams a task attempt's log as server-sent events: everything after `afterSeq`, then new lines as
 * the log router stores them (it sends `ty.logstored.<job>.<task>`, so a line is read as soon as it
 * is stored), then `event: end` right after the attempt's last line: the agent marks its last batch
 * `eof` and the router records that seq. An attempt that ended without one (its agent died) ends
 * once the task is over and nothing came for `noEofGraceMs`. The `id:` of each event is the line's
 * seq, so a client reconnects with `afterSeq`.
 */
export async function followLogs(
  reply: FastifyReply,
  deps: { reads: ReadModel; logs: LogReads; nc: NatsConnection },
  q: { jobId: string; task: string; attempt: number; afterSeq: number },
  opts: FollowOptions = {},
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let closed = false;
  let wake: (() => void) | undefined;
  let noticed = false;
  const sub = deps.nc.subscribe(Subjects.logStored(q.jobId, q.task), {
    callback: () => {
      noticed = true;
      wake?.();
    },
  });
  const end = () => {
    closed = true;
    wake?.();
  };
  res.on('close', end);
  opts.signal?.addEventListener('abort', end, { once: true });
  if (opts.signal?.aborted) closed = true;

  let after = q.afterSeq;
  let quietSince = Date.now();
  try {
    while (!closed) {
      noticed = false;
      const lines = await deps.logs.readLines({ jobId: q.jobId, task: q.task, attempt: q.attempt, afterSeq: after, limit: PAGE });
      if (lines.length) {
        let out = '';
        for (const l of lines) out += `id: ${l.seq}\nevent: line\ndata: ${JSON.stringify(l)}\n\n`;
        res.write(out);
        after = lines[lines.length - 1].seq;
        quietSince = Date.now();
        if (lines.length === PAGE) continue;
      }
      const [attempt] = await deps.logs.attempts(q.jobId, q.task).then((a) => a.filter((x) => x.attempt === q.attempt));
      if (attempt?.eofSeq !== null && attempt?.eofSeq !== undefined && after >= attempt.eofSeq) {
        res.write(`event: end\ndata: ${JSON.stringify({ state: await endState(deps.reads, q, opts.stateWaitMs ?? 3000), lastSeq: after })}\n\n`);
        break;
      }
      if (Date.now() - quietSince >= (opts.noEofGraceMs ?? 5000)) {
        const state = await taskState(deps.reads, q);
        if (state.ended) {
          res.write(`event: end\ndata: ${JSON.stringify({ state: state.state, lastSeq: after })}\n\n`);
          break;
        }
      }
      if (noticed) continue;
      res.write(': keep-alive\n\n');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.pollMs ?? 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    sub.unsubscribe();
    res.end();
    // Shutting down: close the connection too, or the server waits for the client's keep-alive to lapse.
    if (opts.signal?.aborted) res.socket?.end();
  }
}

async function taskState(reads: ReadModel, q: { jobId: string; task: string; attempt: number }): Promise<{ ended: boolean; state: string }> {
  const job = await reads.getJob(q.jobId);
  const task = job?.tasks.find((t) => t.name === q.task);
  const ended = !job || !task || task.attempt > q.attempt || FINISHED.has(task.state);
  return { ended, state: task && task.attempt > q.attempt ? 'restarted' : (task?.state ?? 'unknown') };
}

/** The task's state once the projection shows its end (the exit is reported right after the last line). */
async function endState(reads: ReadModel, q: { jobId: string; task: string; attempt: number }, waitMs: number): Promise<string> {
  const end = Date.now() + waitMs;
  for (;;) {
    const s = await taskState(reads, q);
    if (s.ended || Date.now() >= end) return s.state;
    await new Promise((r) => setTimeout(r, 100));
  }
}
