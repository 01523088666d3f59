import type { FastifyReply } from 'fastify';
import type { ReadModel } from '../read-model';
import { type ProjectionSseOptions, streamProjectionSse } from '../system/projection-sse';

/** Changed jobs read and written per round. */
const PAGE = 500;

export interface JobStreamOptions extends ProjectionSseOptions {
  /** Least time between two reads that found changes: a busy log is read in batches, not once per commit. Default 100 ms. */
  minGapMs?: number;
  /** Only jobs of these projects (the caller's readable ones); undefined = all. */
  projects?: readonly string[];
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
  let cursor = afterSeq ?? reads.position();
  const ready = `event: ready\ndata: ${JSON.stringify({ seq: cursor })}\n\n`;
  await streamProjectionSse(reply, reads, ready, async () => {
    const changes = await reads.jobChanges(cursor, PAGE);
    let frames = '';
    for (const c of changes) if (!opts.projects || opts.projects.includes(c.project)) frames += `id: ${c.seq}\nevent: job\ndata: ${JSON.stringify(c)}\n\n`;
    if (changes.length) cursor = changes[changes.length - 1].seq;
    return { frames, found: changes.length > 0, full: changes.length === PAGE };
  }, { ...opts, minGapMs: opts.minGapMs ?? 100 });
}
