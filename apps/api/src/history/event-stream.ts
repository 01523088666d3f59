import type { ClusterEventView } from '@trainyard/contracts';
import type { EventQuery } from '@trainyard/db';
import type { FastifyReply } from 'fastify';
import type { ReadModel } from '../read-model';
import { type ProjectionSseOptions, streamProjectionSse } from '../system/projection-sse';

/** Events read and written per round. */
const PAGE = 500;

export type EventStreamOptions = Omit<ProjectionSseOptions, 'minGapMs'>;

/**
 * `GET /v1/events?follow=true`: the events matching `query` as server-sent events — first every one
 * already indexed after the cursor, then live. `event: ready` first, with the cursor it starts after;
 * then one `event: event` per event, `id: <seq>.<idx>`, so a client that reconnects with
 * `Last-Event-ID` resumes exactly after the last one it got (none lost, none twice). The index is
 * read again only when the projection has applied a new commit.
 */
export async function streamEvents(reply: FastifyReply, reads: Pick<ReadModel, 'listEvents' | 'waitFor' | 'position'>, query: EventQuery, opts: EventStreamOptions = {}): Promise<void> {
  let after = query.after;
  const ready = `event: ready\ndata: ${JSON.stringify({ after: after ? idOf(after) : null })}\n\n`;
  await streamProjectionSse(reply, reads, ready, async () => {
    const page: ClusterEventView[] = await reads.listEvents({ ...query, after, limit: PAGE });
    let frames = '';
    for (const e of page) frames += `id: ${e.id}\nevent: event\ndata: ${JSON.stringify(e)}\n\n`;
    const last = page.at(-1);
    if (last) after = { seq: last.seq, idx: last.idx };
    return { frames, found: page.length > 0, full: page.length === PAGE };
  }, opts);
}

const idOf = (c: { seq: number; idx?: number }) => (c.idx === undefined ? `${c.seq}` : `${c.seq}.${c.idx}`);
