import type { FastifyReply } from 'fastify';
import type { ReadModel } from '../read-model';
import { withProject } from './job-project';

/** Changed jobs read and written per round. */
const PAGE = 500;

export interface JobStreamOptions {
  /** A comment line this often while nothing changes, so proxies keep the connection. Default 15 s. */
  keepAliveMs?: number;
  /** Ends the stream (the API is shutting down). */
  signal?: AbortSignal;
  /** Least time between two reads that found changes: a busy log is read in batches, not once per commit. Default 100 ms. */
  minGapMs?: number;
}

/**
 * Streams changes of every job as server-sent events, for a live job list: first `event: ready` with
 * the sequence it starts after (a client that fetches its page after `ready` misses nothing), then one
 * `event: job` per changed job (its summary, `id:` = the sequence of the commit that changed it last;
 * a deleted job comes with state `deleted`). It reads the read models only when the projection has
 * applied a new commit (the projector's position), so an idle cluster costs nothing but keep-alives.
 * Reconnect with `?after=<last id>` (or `Last-Event-ID`) to catch up on what happened meanwhile.
 */
export async function streamJobChanges(reply: FastifyReply, reads: ReadModel, afterSeq: number | undefined, opts: JobStreamOptions = {}): Promise<void> {
  const keepAliveMs = opts.keepAliveMs ?? 15_000;
  const minGapMs = opts.minGapMs ?? 100;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let closed = false;
  const gone = new Promise<false>((resolve) => {
    const end = () => ((closed = true), resolve(false));
    res.on('close', end);
    if (opts.signal?.aborted) end();
    opts.signal?.addEventListener('abort', end, { once: true });
  });
  let cursor = afterSeq ?? reads.position();
  res.write(`event: ready\ndata: ${JSON.stringify({ seq: cursor })}\n\n`);
  try {
    while (!closed) {
      // Read the position first: a commit applied during the read is then waited for, never missed.
      const position = reads.position();
      const changes = await reads.jobChanges(cursor, PAGE);
      if (closed) break;
      if (changes.length) {
        let out = '';
        for (const c of changes) out += `id: ${c.seq}\nevent: job\ndata: ${JSON.stringify(withProject(c))}\n\n`;
        res.write(out);
        cursor = changes[changes.length - 1].seq;
        if (changes.length === PAGE) continue;
      }
      // Changes are read as soon as a commit lands; the pause comes after, so a burst of commits is
      // read in one go but a job's first change is never held back.
      if (changes.length) await Promise.race([new Promise((r) => setTimeout(r, minGapMs)), gone]);
      const started = Date.now();
      const advanced = await Promise.race([reads.waitFor(position + 1, keepAliveMs).then(() => true, () => false), gone]);
      if (closed) break;
      if (advanced) continue;
      res.write(': keep-alive\n\n');
      // A wait that failed at once (the projector stopped) must not spin.
      const pause = Math.max(0, 1000 - (Date.now() - started));
      if (pause) await Promise.race([new Promise((r) => setTimeout(r, pause)), gone]);
    }
  } finally {
    res.end();
    // Shutting down: close the connection too, or the server waits for the client's keep-alive to lapse.
    if (opts.signal?.aborted) res.socket?.end();
  }
}
