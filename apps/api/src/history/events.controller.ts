import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ShutdownSignal } from '../system/shutdown-signal';
import { parseEventQuery } from './event-query';
import { streamEvents } from './event-stream';
import { Auth, type RequestAuth } from '../auth/request-auth';
import { readableProjects } from '../training-jobs/job-project';

/**
 * `GET /v1/events`: the cluster-wide event stream (issue 17) — every job and node event in log order,
 * filtered and paged (`next` is the cursor for `after`), or followed live (`follow=true`, SSE).
 */
@Controller('v1/events')
export class EventsController {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    private readonly shutdown: ShutdownSignal,
  ) {}

  @Get()
  async list(@Auth() auth: RequestAuth, @Query() q: Record<string, string>, @Headers('last-event-id') lastEventId: string | undefined, @Res() reply: FastifyReply) {
    const { query, follow, empty } = parseEventQuery(q, lastEventId);
    // Issue 11: without job:read cluster-wide, only the events of jobs of one's own projects.
    const readable = readableProjects(auth.principal);
    if (readable) Object.assign(query, { jobsOnly: true, projects: (query.projects ?? readable).filter((p) => readable.includes(p)) });
    if (follow) {
      // An unknown project matches nothing: a stream that stays quiet, as a list that stays empty.
      return streamEvents(reply, this.reads, empty ? { ...query, jobId: '' } : query, { signal: this.shutdown.signal });
    }
    const items = empty ? [] : await this.reads.listEvents(query);
    return reply.send({ items, next: items.length === query.limit ? items[items.length - 1].id : null });
  }
}
