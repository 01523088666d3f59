import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { ShutdownSignal } from '../system/shutdown-signal';
import { streamJobChanges } from './job-stream';
import { Auth, type RequestAuth } from '../auth/request-auth';
import { readableProjects } from './job-project';

/** `GET /v1/training-jobs/stream`: every job change, live, as server-sent events (the console's job list). */
@Controller('v1/training-jobs')
export class JobStreamController {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    private readonly shutdown: ShutdownSignal,
  ) {}

  @Get('stream')
  async stream(@Query('after') after: string | undefined, @Headers('last-event-id') lastEventId: string | undefined, @Res() reply: FastifyReply, @Auth() auth: RequestAuth) {
    const check = new ParamCheck();
    const raw = after ?? lastEventId;
    const afterSeq = raw === undefined ? undefined : check.int(after !== undefined ? 'after' : 'Last-Event-ID', raw, { min: 0, max: Number.MAX_SAFE_INTEGER });
    check.done();
    return streamJobChanges(reply, this.reads, afterSeq, { signal: this.shutdown.signal, projects: readableProjects(auth.principal) });
  }
}
