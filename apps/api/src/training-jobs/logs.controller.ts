import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { ErrorCode, FieldCode, SUBJECT_TOKEN, TrainyardError } from '@trainyard/contracts';
import type { FastifyReply } from 'fastify';
import { createGzip } from 'node:zlib';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { NATS } from '../system/system.tokens';
import { ShutdownSignal } from '../system/shutdown-signal';
import { logFileName, writeLogArchive, writeTaskLog } from './log-archive';
import { followLogs } from './log-follow';
import { LOG_READS, type LogReads } from './log-reads';

const TASK_NAME = /^worker-\d{1,4}$/;
/** A search scans at most this long in the database before it answers with what it has. */
const SEARCH_TIMEOUT_MS = 10_000;

/**
 * The log endpoints of `/v1/training-jobs`: read a task attempt's lines (by line, time or tail), follow
 * them live (SSE), search a job's tasks, and download one task's log or all of them as `tar.gz` with
 * the guide's file names.
 */
@Controller('v1/training-jobs')
export class LogsController {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(LOG_READS) private readonly logs: LogReads,
    @Inject(NATS) private readonly nc: NatsConnection,
    private readonly shutdown: ShutdownSignal,
  ) {}

  /** `?attempt&afterSeq&limit` by line, `&from&to` (ISO-8601) by time, `&tail=N` the last N, `&follow=true` live. */
  @Get(':id/tasks/:task/logs')
  async lines(@Param('id') id: string, @Param('task') task: string, @Query() q: Record<string, string>, @Res() reply: FastifyReply) {
    const check = new ParamCheck();
    check.matches('task', task, TASK_NAME, 'a task name like worker-0');
    const attempt = q.attempt === undefined ? undefined : check.int('attempt', q.attempt, { min: 1, max: 1_000_000 });
    const afterSeq = check.int('afterSeq', q.afterSeq, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
    const limit = check.int('limit', q.limit, { min: 1, max: 10_000, fallback: 1000 });
    const tail = q.tail === undefined ? undefined : check.int('tail', q.tail, { min: 1, max: 10_000 });
    const from = check.instant('from', q.from);
    const to = check.instant('to', q.to);
    const follow = check.bool('follow', q.follow);
    check.done();
    const job = await this.task(id, task);
    const chosen = attempt ?? ((await this.logs.lastAttempt(id, task)) || job.attempt || 1);
    if (follow) return followLogs(reply, { reads: this.reads, logs: this.logs, nc: this.nc }, { jobId: id, task, attempt: chosen, afterSeq }, { signal: this.shutdown.signal });
    const items = tail
      ? await this.logs.tail({ jobId: id, task, attempt: chosen, lines: tail })
      : await this.logs.readLines({ jobId: id, task, attempt: chosen, afterSeq, from, to, limit });
    return reply.send({ items, nextSeq: items.length ? items[items.length - 1].seq : afterSeq });
  }

  /** Every task attempt of the job that has output, with its size: the "full log" of each. */
  @Get(':id/logs')
  async attempts(@Param('id') id: string) {
    await this.job(id);
    return { items: await this.logs.attempts(id) };
  }

  /**
   * `?q=TEXT` (substring) or `?q=PATTERN&regex=true` (PostgreSQL regular expression), `&ignoreCase`,
   * `&task`, `&attempt`, `&limit`, `&after=<task>:<attempt>:<seq>` (the `next` of the previous page).
   */
  @Get(':id/logs/search')
  async search(@Param('id') id: string, @Query() q: Record<string, string>) {
    const check = new ParamCheck();
    const pattern = q.q ?? '';
    if (pattern === '' || pattern.length > 1000) check.matches('q', '', /x/, 'between 1 and 1000 characters');
    const regex = check.bool('regex', q.regex);
    const ignoreCase = check.bool('ignoreCase', q.ignoreCase);
    if (q.task !== undefined) check.matches('task', q.task, TASK_NAME, 'a task name like worker-0');
    const attempt = q.attempt === undefined ? undefined : check.int('attempt', q.attempt, { min: 1, max: 1_000_000 });
    const limit = check.int('limit', q.limit, { min: 1, max: 1000, fallback: 100 });
    const after = q.after === undefined ? undefined : cursor(check, q.after);
    check.done();
    await this.job(id);
    let items;
    try {
      items = await this.logs.search({ jobId: id, pattern, regex, ignoreCase, task: q.task, attempt, after, limit, timeoutMs: SEARCH_TIMEOUT_MS });
    } catch (err) {
      const message = (err as Error).message;
      if (/regular expression/i.test(message)) {
        throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid regular expression', [{ path: 'q', code: FieldCode.InvalidFormat, message }]);
      }
      if (/statement timeout|canceling statement/i.test(message)) {
        throw new TrainyardError(ErrorCode.Unavailable, `the search took longer than ${SEARCH_TIMEOUT_MS / 1000} s; narrow it with task or attempt`);
      }
      throw err;
    }
    const last = items.at(-1);
    return { items, next: items.length === limit && last ? `${last.task}:${last.attempt}:${last.seq}` : null };
  }

  /** One task's log as a file named as in the guide; `?attempt` (default the latest). */
  @Get(':id/tasks/:task/logs/download')
  async downloadTask(@Param('id') id: string, @Param('task') task: string, @Query() q: Record<string, string>, @Res() reply: FastifyReply) {
    const check = new ParamCheck();
    check.matches('task', task, TASK_NAME, 'a task name like worker-0');
    const attempt = q.attempt === undefined ? undefined : check.int('attempt', q.attempt, { min: 1, max: 1_000_000 });
    check.done();
    await this.task(id, task);
    const all = await this.logs.attempts(id, task);
    const chosen = attempt === undefined ? all.at(-1) : all.find((a) => a.attempt === attempt);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="${logFileName(id, task)}"`,
      ...(chosen ? { 'content-length': String(await this.logs.bytesUpTo({ jobId: id, task, attempt: chosen.attempt, upToSeq: chosen.lastSeq })) } : {}),
    });
    if (chosen) await writeTaskLog(res, this.logs, { jobId: id, task, attempt: chosen.attempt, upToSeq: chosen.lastSeq });
    res.end();
  }

  /** All of the job's task logs (each task's latest attempt) as one `tar.gz`. */
  @Get(':id/logs/download')
  async downloadJob(@Param('id') id: string, @Res() reply: FastifyReply) {
    await this.job(id);
    const latest = new Map<string, Awaited<ReturnType<LogReads['attempts']>>[number]>();
    for (const a of await this.logs.attempts(id)) latest.set(a.task, a);
    const entries = [...latest.values()]
      .sort((a, b) => taskIndex(a.task) - taskIndex(b.task))
      .map((a) => ({ name: logFileName(id, a.task), jobId: id, task: a.task, attempt: a.attempt, upToSeq: a.lastSeq, mtime: new Date(a.lastTs) }));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'content-disposition': `attachment; filename="modelarts-job-${id}-logs.tar.gz"`,
    });
    const gzip = createGzip();
    gzip.pipe(res);
    try {
      await writeLogArchive(gzip, this.logs, entries);
    } finally {
      gzip.end();
    }
  }

  private async job(id: string) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a job id');
    check.done();
    const job = await this.reads.getJob(id);
    if (!job || job.state === 'deleted') throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    return job;
  }

  private async task(id: string, task: string) {
    const job = await this.job(id);
    if (!job.tasks.some((t) => t.name === task)) throw new TrainyardError(ErrorCode.NotFound, `job ${id} has no task ${task}`);
    return job;
  }
}

const taskIndex = (task: string) => Number(task.slice(task.lastIndexOf('-') + 1));

function cursor(check: ParamCheck, raw: string): { task: string; attempt: number; seq: number } | undefined {
  const m = /^(worker-\d{1,4}):(\d+):(\d+)$/.exec(raw);
  if (!m) {
    check.matches('after', '', /x/, 'a cursor <task>:<attempt>:<seq> from an earlier page');
    return undefined;
  }
  return { task: m[1], attempt: Number(m[2]), seq: Number(m[3]) };
}
