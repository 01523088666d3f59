import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ErrorCode, SUBJECT_TOKEN, specRefusalCode, TRACEPARENT, TrainyardError, validateJobSpec, type TrainingJobSpec } from '@trainyard/contracts';
import { API_OPTIONS, COMMANDS, READS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import type { CommandClient } from '../command-client';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { inSpan, SpanKind } from '@trainyard/telemetry';
import { idsFor } from './job-ids';
import { projectExists, withProject } from './job-project';

const JOB_STATES = ['creating', 'waiting', 'running', 'terminating', 'terminated', 'completed', 'failed', 'abnormal', 'deleting', 'deleted'] as const;

/** `/v1/training-jobs`: thin handlers — check input, send a command or read a view, shape the reply. */
@Controller('v1/training-jobs')
export class TrainingJobsController {
  constructor(
    @Inject(COMMANDS) private readonly commands: CommandClient,
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
  ) {}

  @Post()
  @HttpCode(201)
  async submit(@Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string, @Headers('traceparent') traceparent?: string) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new TrainyardError(ErrorCode.ValidationFailed, 'the request body must be a job object', [
        { path: '', code: 'INVALID_TYPE', message: 'expected a JSON object' },
      ]);
    }
    // Refused here, at the edge, without a round trip; the scheduler checks again (anything may publish).
    const check = validateJobSpec(body, { permissions: this.options.caller.permissions });
    if (!check.ok) throw new TrainyardError(specRefusalCode(check.errors), `job spec has ${check.errors.length} error(s)`, check.errors);
    const { jobId, commandId } = idsFor(idempotencyKey);
    // A malformed trace context is ignored, as W3C Trace Context says, not carried into the log.
    const parent = traceparent && TRACEPARENT.test(traceparent) ? traceparent : undefined;
    // One submission is one trace (decision 11): it starts here, or continues the caller's `traceparent`.
    return inSpan('trainyard.api', 'POST /v1/training-jobs', parent, { 'trainyard.job_id': jobId }, async (tp) => {
      const { seq } = await this.commands.send<{ jobId: string }>('scheduler', 'submit', {
        commandId, jobId, spec: body as TrainingJobSpec, caller: this.options.caller, ...(tp ? { traceparent: tp } : {}),
      });
      return this.readAfter(seq, jobId);
    }, SpanKind.SERVER);
  }

  @Get()
  async list(@Query() q: Record<string, string>) {
    const check = new ParamCheck();
    const state = check.oneOf('state', q.state, JOB_STATES);
    const limit = check.int('limit', q.limit, { min: 1, max: 500, fallback: 50 });
    const offset = check.int('offset', q.offset, { min: 0, max: 1_000_000_000, fallback: 0 });
    // `q`: part of the name; `tag`: `key` or `key=value`; `project`: one of the caller's projects.
    if (q.q !== undefined) check.matches('q', q.q, /^.{1,64}$/su, 'at most 64 characters');
    if (q.tag !== undefined) check.matches('tag', q.tag, /^[^=]{1,128}(=.{0,256})?$/su, 'key or key=value');
    if (q.project !== undefined) check.matches('project', q.project, /^.{1,128}$/su, 'a project id');
    check.done();
    const tag = q.tag === undefined ? undefined : { key: q.tag.split('=', 1)[0], ...(q.tag.includes('=') ? { value: q.tag.slice(q.tag.indexOf('=') + 1) } : {}) };
    if (q.project !== undefined && !projectExists(q.project)) return { items: [], total: 0, limit, offset };
    const { items, total } = await this.reads.listJobs({ state, limit, offset, name: q.q || undefined, tag });
    return { items: items.map(withProject), total, limit, offset };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return this.jobOr404(id);
  }

  @Post(':id/stop')
  @HttpCode(202)
  async stop(@Param('id') id: string) {
    this.checkId(id);
    const { seq } = await this.commands.send('scheduler', 'stop', { ...idsFor(undefined), jobId: id, caller: this.options.caller });
    return this.readAfter(seq, id);
  }

  @Post(':id/priority')
  @HttpCode(200)
  async priority(@Param('id') id: string, @Body() body: unknown) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a job id');
    const raw = (body as { priority?: unknown } | null)?.priority;
    // The decider checks the range and the permission; here only the shape.
    const priority = check.int('priority', typeof raw === 'number' ? String(raw) : (raw as string | undefined), { min: 1, max: 3 });
    check.done();
    const { seq } = await this.commands.send('scheduler', 'priority', { ...idsFor(undefined), jobId: id, priority, caller: this.options.caller });
    return this.readAfter(seq, id);
  }

  @Delete(':id')
  @HttpCode(202)
  async remove(@Param('id') id: string) {
    this.checkId(id);
    const { seq } = await this.commands.send('scheduler', 'delete', { ...idsFor(undefined), jobId: id, caller: this.options.caller });
    return this.readAfter(seq, id);
  }

  @Get(':id/events')
  async events(@Param('id') id: string) {
    await this.jobOr404(id);
    return { items: await this.reads.listJobEvents(id) };
  }

  private checkId(id: string) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a job id');
    check.done();
  }

  private async jobOr404(id: string) {
    this.checkId(id);
    const job = await this.reads.getJob(id);
    if (!job || job.state === 'deleted') throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    return withProject(job);
  }

  /** Reads the job once the projection has applied our commit, so the client sees its own write. */
  private async readAfter(seq: number, id: string) {
    await this.reads.waitFor(seq, this.options.readYourWritesTimeoutMs);
    const job = await this.reads.getJob(id);
    if (!job) throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    return withProject(job);
  }
}
