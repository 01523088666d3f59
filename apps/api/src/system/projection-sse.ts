import type { FastifyReply } from 'fastify';
import type { ReadModel } from '../read-model';

export interface ProjectionSseOptions {
  /** A comment line this often while nothing happens, so proxies keep the connection. Default 15 s. */
  keepAliveMs?: number;
  /** Ends the stream (the API is shutting down). */
  signal?: AbortSignal;
  /** Least time between two rounds that found something: a busy log is read in batches. Default 0. */
  minGapMs?: number;
}

/** One round of a stream: the frames to write, whether it found anything, whether a full page says read again at once. */
export interface SseRound {
  frames: string;
  found: boolean;
  full: boolean;
}

/**
 * A server-sent event response fed from the read models: writes `ready`, then runs `round` and
 * writes its frames — again at once after a full page, otherwise once the projection has applied a
 * new commit (its position), with a keep-alive comment while nothing happens. The live job list
 * (`streamJobChanges`) and the cluster event stream (`streamEvents`) are each one `round`.
 */
export async function streamProjectionSse(reply: FastifyReply, reads: Pick<ReadModel, 'waitFor' | 'position'>, ready: string, round: () => Promise<SseRound>, opts: ProjectionSseOptions = {}): Promise<void> {
  const keepAliveMs = opts.keepAliveMs ?? 15_000;
  const minGapMs = opts.minGapMs ?? 0;
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
  res.write(ready);
  try {
    while (!closed) {
      // Read the position first: a commit applied during the read is then waited for, never missed.
      const position = reads.position();
      const r = await round();
      if (closed) break;
      if (r.frames) res.write(r.frames);
      if (r.full) continue;
      // What was found is written at once; the pause comes after, so a burst of commits is read in
      // one go but the first change is never held back.
      if (r.found && minGapMs) await Promise.race([new Promise((ok) => setTimeout(ok, minGapMs)), gone]);
      const started = Date.now();
      const advanced = await Promise.race([reads.waitFor(position + 1, keepAliveMs).then(() => true, () => false), gone]);
      if (closed) break;
      if (advanced) continue;
      res.write(': keep-alive\n\n');
      // A wait that failed at once (the projector stopped) must not spin.
      const pause = Math.max(0, 1000 - (Date.now() - started));
      if (pause) await Promise.race([new Promise((ok) => setTimeout(ok, pause)), gone]);
    }
  } finally {
    res.end();
    // Shutting down: close the connection too, or the server waits for the client's keep-alive to lapse.
    if (opts.signal?.aborted) res.socket?.end();
  }
}
