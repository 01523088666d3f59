import { Body, Controller, Get, HttpCode, Inject, type OnModuleInit, Post, Query, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ErrorCode, FieldCode, TrainyardError } from '@trainyard/contracts';
import { parseExport } from '@trainyard/history';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Streams } from '@trainyard/contracts';
import { restoreCommits } from '@trainyard/event-log';
import { NATS } from '../system/system.tokens';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { sha256 } from './db-history';
import { momentParam } from './moment-param';

/** An import may be much larger than a job spec: the whole log of a cluster. */
const IMPORT_MAX_BYTES = 1024 * 1024 * 1024;
const NDJSON = 'application/x-ndjson';

/**
 * `GET /v1/admin/export[?since&until]`: the log as NDJSON (header, then one line per commit with its
 * sequence, subject, time and SHA-256). `POST /v1/admin/import` (body: such a file, `content-type:
 * application/x-ndjson`): into a cluster without job or node commits, in the recorded order.
 */
@Controller('v1/admin')
export class HistoryAdminController implements OnModuleInit {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(NATS) private readonly nc: NatsConnection,
    private readonly adapter: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance() as FastifyInstance | undefined;
    // NDJSON bodies come as text with their own limit; the JSON limit (a job spec) stays as it is.
    if (fastify && !fastify.hasContentTypeParser(NDJSON)) {
      fastify.addContentTypeParser(NDJSON, { parseAs: 'string', bodyLimit: IMPORT_MAX_BYTES }, (_req, body, done) => done(null, body));
    }
  }

  @Get('export')
  async export(@Query() q: Record<string, string>, @Res() reply: FastifyReply) {
    const check = new ParamCheck();
    const since = momentParam(check, 'since', q.since);
    const until = momentParam(check, 'until', q.until);
    check.done();
    const h = this.reads.history();
    const fromSeq = since === undefined ? 1 : 'seq' in since ? since.seq : (await h.resolve({ time: new Date(since.time.getTime() - 1) })) + 1;
    const toSeq = until === undefined ? this.reads.position() : await h.resolve(until);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': `${NDJSON}; charset=utf-8`, 'content-disposition': 'attachment; filename="history.ndjson"' });
    for await (const line of h.exportLines(fromSeq, toSeq)) {
      if (!res.write(line)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }

  @Post('import')
  @HttpCode(200)
  async import(@Body() body: unknown) {
    if (typeof body !== 'string') {
      throw new TrainyardError(ErrorCode.ValidationFailed, `the body must be an export (content-type ${NDJSON})`, [{ path: 'body', code: FieldCode.InvalidType, message: `expected ${NDJSON}` }]);
    }
    // Every line is checked before anything is written: an import applies whole or not at all.
    const parsed = parseExport(body, sha256);
    if (!parsed.ok) {
      throw new TrainyardError(ErrorCode.ValidationFailed, `the export has ${parsed.errors.length} bad line(s)`, parsed.errors.map((e) => ({
        path: `line ${e.line}${e.field ? `: ${e.field}` : ''}`, code: FieldCode.InvalidFormat, message: `${e.code}: ${e.message}`,
      })));
    }
    // Empty: no job or node commit yet (a cluster's own identity commits — its default project, its
    // first admin token — are there from its first start).
    const end = (await (await jetstreamManager(this.nc)).streams.info(Streams.events)).state.last_seq;
    await this.reads.waitFor(end, 30_000);
    if ((await this.reads.listEvents({ limit: 1 })).length) {
      throw new TrainyardError(ErrorCode.Conflict, `${Streams.events} already holds job or node commits: import into an empty cluster`);
    }
    const { first, last } = await restoreCommits(this.nc, parsed.commits);
    // Read your writes: the answer comes once the read models hold the whole import.
    await this.reads.waitFor(last, 120_000);
    return { imported: parsed.commits.length, recorded: { first: parsed.header.first, last: parsed.header.last }, first, last };
  }
}
