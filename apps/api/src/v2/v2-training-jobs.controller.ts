import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import {
  ErrorCode, FieldCode, SUBJECT_TOKEN, TRACEPARENT, TrainyardError, V2ActionSchema, V2CreateTrainingJobSchema, V2JobSearchSchema, V2UpdateSchema, V2_PHASES, V2_SORT_KEYS,
  durationMs, fromV2, specRefusalCode, statesOfPhase, toV2Job, toV2Path, v2Phase, validateJobSpec, wireErrors,
  type FieldError, type JobView, type V2CreateTrainingJob, type V2JobList, type V2JobSearch, type V2Phase,
} from '@trainyard/contracts';
import { inSpan, SpanKind } from '@trainyard/telemetry';
import { API_OPTIONS, COMMANDS, READS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import type { CommandClient } from '../command-client';
import { FLAVOR_CATALOGUE, type FlavorCatalogue } from '../flavors/flavor-catalogue';
import { findFlavor } from '../flavors/resolve-flavor';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { idsFor } from '../training-jobs/job-ids';
import { checkProject } from './v2-project';
import { Auth, callerIn, commandPrincipal, type RequestAuth } from '../auth/request-auth';

const SORT_COLUMN = { create_time: 'created_at', name: 'name', phase: 'state' } as const;

/**
 * The vendor's v2 training-job API (`/v2/{project_id}/training-jobs`), for gateways written against
 * it. Thin like `/v1`: the structure is checked against the wire schema, the body translated to the
 * native spec, the guide's rules run as for `/v1`, and the same scheduler commands are sent through the
 * same command client; reads are the same read model, shown in the v2 shape (`toV2Job`).
 */
@Controller('v2/:project_id')
export class V2TrainingJobsController {
  constructor(
    @Inject(COMMANDS) private readonly commands: CommandClient,
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    @Inject(FLAVOR_CATALOGUE) private readonly catalogue: FlavorCatalogue,
  ) {}

  @Post('training-jobs')
  @HttpCode(201)
  async create(@Auth() auth: RequestAuth, @Param('project_id') project: string, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string, @Headers('traceparent') traceparent?: string) {
    checkProject(project);
    refuse(wireErrors(V2CreateTrainingJobSchema, body ?? undefined));
    const v2 = body as V2CreateTrainingJob;
    const flavor = await findFlavor(this.catalogue, v2.spec.resource.flavor_id, v2.spec.resource.pool_id, 'spec.resource.flavor_id');
    const translated = fromV2(v2, flavor, project);
    if (!translated.ok) refuse(translated.errors);
    const spec = (translated as { spec: NonNullable<unknown> & Parameters<typeof validateJobSpec>[0] }).spec;
    const caller = callerIn(auth, project);
    const check = validateJobSpec(spec, { permissions: caller.permissions });
    if (!check.ok) {
      const errors = check.errors.map((e) => ({ ...e, path: toV2Path(e.path) }));
      throw new TrainyardError(specRefusalCode(check.errors), `job has ${errors.length} error(s)`, errors);
    }
    const { jobId, commandId } = idsFor(idempotencyKey);
    const parent = traceparent && TRACEPARENT.test(traceparent) ? traceparent : undefined;
    return inSpan('trainyard.api', 'POST /v2/training-jobs', parent, { 'trainyard.job_id': jobId }, async (tp) => {
      const { seq } = await this.commands.send<{ jobId: string }>('scheduler', 'submit', {
        commandId, jobId, spec: check.spec, caller, ...(tp ? { traceparent: tp } : {}),
      }, commandPrincipal(auth));
      return toV2Job(await this.readAfter(seq, jobId), new Date());
    }, SpanKind.SERVER);
  }

  /** ListTrainingJobs (the reference's search body). */
  @Post('training-job-searches')
  @HttpCode(200)
  async search(@Param('project_id') project: string, @Body() body: unknown) {
    checkProject(project);
    const search = (body ?? {}) as V2JobSearch;
    refuse(wireErrors(V2JobSearchSchema, search));
    const filter: Filter = {};
    for (const [i, f] of (search.filters ?? []).entries()) {
      const at = `filters[${i}]`;
      const operator = f.operator ?? (f.key === 'name' ? 'like' : 'in');
      if ((f.key === 'name') !== (operator === 'like')) refuse([{ path: `${at}.operator`, code: FieldCode.Conflict, message: `key ${f.key} takes the operator ${f.key === 'name' ? 'like' : 'in'}` }]);
      if (f.key === 'name') filter.name = f.value[0];
      if (f.key === 'experiment') filter.experiment = f.value[0];
      if (f.key === 'tag') filter.tag = parseTag(f.value[0], `${at}.value[0]`);
      if (f.key === 'phase') {
        const bad = f.value.findIndex((v) => !(V2_PHASES as readonly string[]).includes(v));
        if (bad >= 0) refuse([{ path: `${at}.value[${bad}]`, code: FieldCode.InvalidFormat, message: `a phase: one of ${V2_PHASES.join(', ')}` }]);
        filter.phases = f.value as V2Phase[];
      }
    }
    return this.page(project, search, filter);
  }

  /** The same list as a query (ours): `?offset&limit&sort_by&order&phase&name&tag=k:v&experiment`. */
  @Get('training-jobs')
  async list(@Param('project_id') project: string, @Query() q: Record<string, string>) {
    checkProject(project);
    const check = new ParamCheck();
    const offset = check.int('offset', q.offset, { min: 0, max: 1_000_000_000, fallback: 0 });
    const limit = check.int('limit', q.limit, { min: 1, max: 50, fallback: 10 });
    const sortBy = check.oneOf('sort_by', q.sort_by, V2_SORT_KEYS);
    const order = check.oneOf('order', q.order, ['asc', 'desc'] as const);
    const phase = check.oneOf('phase', q.phase, V2_PHASES);
    if (q.name !== undefined) check.matches('name', q.name, /^.{1,64}$/su, 'at most 64 characters');
    if (q.experiment !== undefined) check.matches('experiment', q.experiment, /^[A-Za-z0-9_.-]{1,64}$/, 'an experiment name');
    check.done();
    const filter: Filter = { name: q.name, experiment: q.experiment, ...(phase ? { phases: [phase] } : {}) };
    if (q.tag !== undefined) filter.tag = parseTag(q.tag, 'tag');
    return this.page(project, { offset, limit, sort_by: sortBy, order }, filter);
  }

  @Get('training-jobs/:training_job_id')
  async show(@Param('project_id') project: string, @Param('training_job_id') id: string) {
    checkProject(project);
    return toV2Job(await this.jobOr404(id), new Date());
  }

  /** ChangeTrainingJobDescription: the reference lets only the description change. */
  @Put('training-jobs/:training_job_id')
  @HttpCode(204)
  async update(@Auth() auth: RequestAuth, @Param('project_id') project: string, @Param('training_job_id') id: string, @Body() body: unknown) {
    checkProject(project);
    checkId(id);
    refuse(wireErrors(V2UpdateSchema, body ?? undefined));
    const { description } = body as { description: string };
    const { seq } = await this.commands.send('scheduler', 'update', { ...idsFor(undefined), jobId: id, caller: callerIn(auth), changes: { description } }, commandPrincipal(auth));
    // The answer has no body; a client reading the job next still sees its own write.
    await this.reads.waitFor(seq, this.options.readYourWritesTimeoutMs);
  }

  @Delete('training-jobs/:training_job_id')
  @HttpCode(202)
  async remove(@Auth() auth: RequestAuth, @Param('project_id') project: string, @Param('training_job_id') id: string) {
    checkProject(project);
    checkId(id);
    const { seq } = await this.commands.send('scheduler', 'delete', { ...idsFor(undefined), jobId: id, caller: callerIn(auth) }, commandPrincipal(auth));
    await this.reads.waitFor(seq, this.options.readYourWritesTimeoutMs);
  }

  /** StopTrainingJob: `{"action_type": "terminate"}`. */
  @Post('training-jobs/:training_job_id/actions')
  @HttpCode(202)
  async action(@Auth() auth: RequestAuth, @Param('project_id') project: string, @Param('training_job_id') id: string, @Body() body: unknown) {
    checkProject(project);
    checkId(id);
    refuse(wireErrors(V2ActionSchema, body ?? undefined));
    const { seq } = await this.commands.send('scheduler', 'stop', { ...idsFor(undefined), jobId: id, caller: callerIn(auth) }, commandPrincipal(auth));
    const job = await this.readAfter(seq, id);
    return { kind: 'job', metadata: { id: job.id, name: job.name }, status: { ...v2Phase(job.state, job.dispatched), duration: durationMs(job, new Date()) } };
  }

  private async page(project: string, p: { offset?: number; limit?: number; sort_by?: (typeof V2_SORT_KEYS)[number]; order?: 'asc' | 'desc'; group_by?: string }, f: Filter): Promise<V2JobList> {
    const offset = p.offset ?? 0;
    const limit = p.limit ?? 10;
    const sortBy = p.sort_by ?? 'create_time';
    const order = p.order ?? 'desc';
    const states = f.phases?.flatMap((ph) => statesOfPhase(ph));
    const [matching, all] = await Promise.all([
      this.reads.listJobs({ limit, offset, name: f.name || undefined, tag: f.tag, experiment: f.experiment, state: states, sortBy: SORT_COLUMN[sortBy], order, projects: [project] }),
      this.reads.listJobs({ limit: 1, offset: 0, projects: [project] }),
    ]);
    const jobs = await Promise.all(matching.items.map((s) => this.reads.getJob(s.id)));
    const now = new Date();
    return {
      total: all.total,
      count: matching.total,
      limit,
      offset,
      sort_by: sortBy,
      order,
      group_by: p.group_by ?? '',
      items: jobs.filter((j) => j !== undefined && j.state !== 'deleted').map((j) => toV2Job(j as unknown as JobView, now)),
    };
  }

  private async jobOr404(id: string): Promise<JobView> {
    checkId(id);
    const job = await this.reads.getJob(id);
    if (!job || job.state === 'deleted') throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    return job as unknown as JobView;
  }

  private async readAfter(seq: number, id: string): Promise<JobView> {
    await this.reads.waitFor(seq, this.options.readYourWritesTimeoutMs);
    const job = await this.reads.getJob(id);
    if (!job) throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    return job as unknown as JobView;
  }
}

interface Filter {
  name?: string;
  experiment?: string;
  tag?: { key: string; value?: string };
  phases?: V2Phase[];
}

/** `key:value` or `key` (and `key=value`, the CLI's spelling). */
function parseTag(raw: string, path: string): { key: string; value?: string } {
  const m = /^([^:=]{1,128})(?:[:=](.{0,255}))?$/su.exec(raw);
  if (!m) refuse([{ path, code: FieldCode.InvalidFormat, message: 'a tag filter is key:value or key' }]);
  return { key: m![1], ...(m![2] !== undefined ? { value: m![2] } : {}) };
}

function checkId(id: string): void {
  const check = new ParamCheck();
  check.matches('training_job_id', id, SUBJECT_TOKEN, 'a training job id');
  check.done();
}

function refuse(errors: FieldError[]): void {
  if (errors.length) throw new TrainyardError(ErrorCode.ValidationFailed, `request has ${errors.length} error(s)`, errors);
}
