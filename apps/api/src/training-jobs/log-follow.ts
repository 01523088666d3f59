import type { FastifyReply } from 'fastify';
import type { ReadModel } from '../read-model';

const FINISHED = new Set(['succeeded', 'failed', 'stopped', 'lost']);
const POLL_MS = 100;

/**
 * Streams a task's log lines as server-sent events: everything after `afterSeq`, then new lines as
 * the log router stores them, then `event: end` once the task attempt has finished and no line is
 * left. The `id:` of each event is the line's seq, so a client reconnects with `afterSeq`.
 */
export async function followLogs(
  reply: FastifyReply,
  reads: ReadModel,
  q: { jobId: string; task: string; attempt: number; afterSeq: number },
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let closed = false;
  res.on('close', () => (closed = true));

  let after = q.afterSeq;
  let quietPollsAfterEnd = 0;
  while (!closed) {
    const lines = await reads.readLogs({ jobId: q.jobId, task: q.task, attempt: q.attempt, afterSeq: after, limit: 1000 });
    for (const l of lines) res.write(`id: ${l.seq}\nevent: line\ndata: ${JSON.stringify(l)}\n\n`);
    if (lines.length) {
      after = lines[lines.length - 1].seq;
      quietPollsAfterEnd = 0;
      continue;
    }
    const job = await reads.getJob(q.jobId);
    const task = job?.tasks.find((t) => t.name === q.task);
    const ended = !job || (task && (task.attempt > q.attempt || FINISHED.has(task.state)));
    // The agent stores a task's last lines before it reports the exit, but the log router and the
    // projector run independently: a few quiet polls after the end let a late batch arrive.
    if (ended && ++quietPollsAfterEnd >= 5) {
      res.write(`event: end\ndata: ${JSON.stringify({ state: task?.state ?? 'unknown' })}\n\n`);
      break;
    }
    res.write(': keep-alive\n\n');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  res.end();
}
