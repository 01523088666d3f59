import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ErrorCode, SUBJECT_TOKEN, specRefusalCode, TRACEPARENT, TrainyardError, validateJobSpec, type TrainingJobSpec } from '@trainyard/contracts';
import { API_OPTIONS, COMMANDS, READS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import type { CommandClient } from '../command-client';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { inSpan, SpanKind } from '@trainyard/telemetry';
import { idsFor } from './job-ids';
import { readableProjects } from './job-project';
import { Auth, callerIn, commandPrincipal, type RequestAuth } from '../auth/request-auth';
import { FLAVOR_CATALOGUE, type FlavorCatalogue } from '../flavors/flavor-catalogue';
import { resolveNativeFlavor } from '../flavors/resolve-flavor';
import { atParam } from '../history/history.controller';

const JOB_STATES = ['creating', 'waiting', 'running', 'terminating', 'terminated', 'completed', 'failed', 'abnormal', 'deleting', 'deleted'] as const;

/** `/v1/training-jobs`: thin handlers — check input, send a command or read a view, shape the reply. */
@Controller('v1/training-jobs')
export class TrainingJobsController {
  constructor(
    @Inject(COMMANDS) private readonly commands: CommandClient,
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    @Inject(FLAVOR_CATALOGUE) private readonly catalogue: FlavorCatalogue,
  ) {}

  @Post()
  @HttpCode(201)
  async submit(@Auth() auth: RequestAuth, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string, @Headers('traceparent') traceparent?: string) {
    const { caller, spec } = await this.checkedSpec(auth, body);
    const { jobId, commandId } = idsFor(idempotencyKey);
    // A malformed trace context is ignored, as W3C Trace Context says, not carried into the log.
    const parent = traceparent && TRACEPARENT.test(traceparent) ? traceparent : undefined;
    // One submission is one trace (decision 11): it starts here, or continues the caller's `traceparent`.
    return inSpan('trainyard.api', 'POST /v1/training-jobs', parent, { 'trainyard.job_id': jobId }, async (tp) => {
      const { seq } = await this.commands.send<{ jobId: string }>('scheduler', 'submit', {
        commandId, jobId, spec, caller, ...(tp ? { traceparent: tp } : {}),
      }, commandPrincipal(auth));
      return this.readAfter(seq, jobId);
    }, SpanKind.SERVER);
  }

  /**
   * Would this job be placed now, where, and if not every reason and the estimate (issue 16)? Checked
   * as a submission is; the scheduler plans it behind every waiting job and appends nothing.
   */
  @Post('dry-run')
  @HttpCode(200)
  async dryRun(@Auth() auth: RequestAuth, @Body() body: unknown) {
    const { caller, spec } = await this.checkedSpec(auth, body);
    const { commandId } = idsFor(undefined);
    const { data, seq } = await this.commands.send<Record<string, unknown>>('scheduler', 'dryRun', { commandId, jobId: 'dry-run', spec, caller }, commandPrincipal(auth));
    return { ...data, seq };
  }

  /** A submission's spec: its catalogue flavor resolved, checked at the edge (the scheduler checks again). */
  private async checkedSpec(auth: RequestAuth, body: unknown): Promise<{ caller: ReturnType<typeof callerIn>; spec: TrainingJobSpec }> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new TrainyardError(ErrorCode.ValidationFailed, 'the request body must be a job object', [
        { path: '', code: 'INVALID_TYPE', message: 'expected a JSON object' },
      ]);
    }
    // A catalogue flavor (`spec.resource.flavorId`) becomes the flavor the scheduler places; an inline one stays.
    const resolved = await resolveNativeFlavor(this.catalogue, body as Record<string, unknown>);
    // Refused here, at the edge, without a round trip; anything may publish, so the scheduler checks again.
    const caller = callerIn(auth);
    const check = validateJobSpec(resolved, { permissions: caller.permissions });
    if (!check.ok) throw new TrainyardError(specRefusalCode(check.errors), `job spec has ${check.errors.length} error(s)`, check.errors);
    return { caller, spec: check.spec };
  }

  @Get()
  async list(@Auth() auth: RequestAuth, @Query() q: Record<string, string>) {
    // `?at=`: the jobs as they were then (issue 17), folded from the log; only what the caller may read.
    const at = atParam(q);
    if (at) {
      const h = this.reads.history();
      const { at: moment, items } = await h.jobsAt(await h.resolve(at));
      const readable = readableProjects(auth.principal);
      const mine = readable ? items.filter((j) => readable.includes(j.project)) : items;
      return { at: moment, items: mine, total: mine.length };
    }
    const check = new ParamCheck();
    const state = check.oneOf('state', q.state, JOB_STATES);
    const limit = check.int('limit', q.limit, { min: 1, max: 500, fallback: 50 });
    const offset = check.int('offset', q.offset, { min: 0, max: 1_000_000_000, fallback: 0 });
    // `q`: part of the name; `tag`: `key`, `key:value` or `key=value`; `experiment`; `project`: one of the caller's projects.
    if (q.q !== undefined) check.matches('q', q.q, /^.{1,64}$/su, 'at most 64 characters');
    if (q.tag !== undefined) check.matches('tag', q.tag, /^[^=:]{1,128}([=:].{0,256})?$/su, 'key, key:value or key=value');
    if (q.experiment !== undefined) check.matches('experiment', q.experiment, /^[A-Za-z0-9_.-]{1,64}$/, 'an experiment name');
    if (q.project !== undefined) check.matches('project', q.project, /^.{1,128}$/su, 'a project id');
    check.done();
    const sep = q.tag?.search(/[=:]/) ?? -1;
    const tag = q.tag === undefined ? undefined : sep < 0 ? { key: q.tag } : { key: q.tag.slice(0, sep), value: q.tag.slice(sep + 1) };
    // Only what the caller may read: its projects (all of them with job:read cluster-wide), narrowed by ?project=.
    const readable = readableProjects(auth.principal);
    const projects = q.project === undefined ? readable : !readable || readable.includes(q.project) ? [q.project] : [];
    const { items, total } = await this.reads.listJobs({ state, limit, offset, name: q.q || undefined, tag, experiment: q.experiment, projects });
    return { items, total, limit, offset };
  }

  @Get(':id')
  async get(@Param('id') id: string, @Query() q: Record<string, string>) {
    const at = atParam(q);
    if (at) {
      this.checkId(id);
      const h = this.reads.history();
      const { at: moment, job } = await h.jobAt(id, await h.resolve(at));
      if (!job || job.state === 'deleted') throw new TrainyardError(ErrorCode.NotFound, `no training job ${id} at ${moment.time ?? `seq ${moment.seq}`}`);
      return { ...job, at: moment };
    }
    return this.jobOr404(id);
  }

  @Post(':id/stop')
  @HttpCode(202)
  async stop(@Auth() auth: RequestAuth, @Param('id') id: string) {
    this.checkId(id);
    const { seq } = await this.commands.send('scheduler', 'stop', { ...idsFor(undefined), jobId: id, caller: callerIn(auth) }, commandPrincipal(auth));
    return this.readAfter(seq, id);
  }

  @Post(':id/priority')
  @HttpCode(200)
  async priority(@Auth() auth: RequestAuth, @Param('id') id: string, @Body() body: unknown) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a job id');
    const raw = (body as { priority?: unknown } | null)?.priority;
    // The decider checks the range and the permission; here only the shape.
    const priority = check.int('priority', typeof raw === 'number' ? String(raw) : (raw as string | undefined), { min: 1, max: 3 });
    check.done();
    const { seq } = await this.commands.send('scheduler', 'priority', { ...idsFor(undefined), jobId: id, priority, caller: callerIn(auth) }, commandPrincipal(auth));
    return this.readAfter(seq, id);
  }

  @Delete(':id')
  @HttpCode(202)
  async remove(@Auth() auth: RequestAuth, @Param('id') id: string) {
    this.checkId(id);
    const { seq } = await this.commands.send('scheduler', 'delete', { ...idsFor(undefined), jobId: id, caller: callerIn(auth) }, commandPrincipal(auth));
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
    return job;
  }

  /** Reads the job once the projection has applied our commit, so the client sees its own write. */
  private async readAfter(seq: number, id: string) {
    await this.reads.waitFor(seq, this.options.readYourWritesTimeoutMs);
    const job = await this.reads.getJob(id);
    if (!job) throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    return job;
  }
}
