import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ErrorCode, FieldCode, type FieldError, may, Permission, type Principal, SEARCH_ID, type SearchSpec, specRefusalCode, TrainyardError, validateJobSpec, validateSearch,
} from '@trainyard/contracts';
import { gridPoint, type Search, trialSpec } from '@trainyard/domain';
import { createHash, randomUUID } from 'node:crypto';
import { Auth, callerIn, type RequestAuth } from '../auth/request-auth';
import { FLAVOR_CATALOGUE, type FlavorCatalogue } from '../flavors/flavor-catalogue';
import { resolveNativeFlavor } from '../flavors/resolve-flavor';
import { ParamCheck } from '../system/query-params';
import type { SearchDirectory } from './search-directory';
import { SEARCHES } from './search.tokens';
import { searchSummary, searchView } from './search-view';

const STATUSES = ['running', 'stopping', 'completed', 'stopped'] as const;

/**
 * Hyperparameter searches (issue 15): create one from a search document, list and read them, stop
 * one. The API records the creation (with the creator's permissions in the project, whom the trials
 * are submitted for) and the stop; the tuner does the rest. Reading needs `search:read` in the
 * search's project — a search one may not read is answered 404, as a job is.
 */
@Controller('v1/searches')
export class SearchesController {
  constructor(
    @Inject(SEARCHES) private readonly searches: SearchDirectory,
    @Inject(FLAVOR_CATALOGUE) private readonly catalogue: FlavorCatalogue,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Auth() auth: RequestAuth, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string) {
    const v = validateSearch(body);
    if (!v.ok) throw new TrainyardError(ErrorCode.ValidationFailed, `search has ${v.errors.length} error(s)`, v.errors);
    const project = v.spec.metadata.project;
    // Its trials are jobs submitted as the caller: it must be able to submit them itself.
    if (!may(auth.principal, Permission.JobSubmit, { project, createdBy: auth.principal.id })) {
      throw new TrainyardError(ErrorCode.Forbidden, `${auth.principal.id} lacks ${Permission.JobSubmit} in project ${project}: a search's trials are its jobs`, [{ path: 'metadata.project', code: FieldCode.Forbidden, message: `needs ${Permission.JobSubmit}` }]);
    }
    const caller = callerIn(auth, project);
    const spec = await this.checkedTemplate(v.spec, caller.permissions);
    const { id, commandId } = searchIds(auth.principal.id, idempotencyKey);
    if (this.searches.get(id)) return searchView(this.searches.get(id)!);
    const seed = spec.search.algorithmParameters.seed ?? parseInt(createHash('sha256').update(id).digest('hex').slice(0, 7), 16);
    await this.searches.execute(id, { type: 'CreateSearch', data: { searchId: id, spec, caller, seed }, metadata: { now: new Date().toISOString() } }, auth.principal.id, { commandId });
    return searchView(this.searches.get(id)!);
  }

  @Get()
  list(@Auth() auth: RequestAuth, @Query() q: Record<string, string | undefined>) {
    const check = new ParamCheck();
    const status = check.oneOf('status', q.status, STATUSES);
    if (q.project !== undefined) check.matches('project', q.project, /^.{1,128}$/su, 'a project id');
    check.done();
    const items = this.searches.list()
      .filter((s) => readable(auth.principal, s))
      .filter((s) => (status === undefined || s.status === status) && (q.project === undefined || s.spec.metadata.project === q.project))
      .map(searchSummary);
    return { items };
  }

  @Get(':id')
  get(@Auth() auth: RequestAuth, @Param('id') id: string) {
    return searchView(this.found(auth, id));
  }

  /** Stops the search: no new trial, running ones are stopped (`search:stop`, or `search:stop:own` on one's own). */
  @Post(':id/stop')
  @HttpCode(202)
  async stop(@Auth() auth: RequestAuth, @Param('id') id: string) {
    const s = this.found(auth, id);
    if (!may(auth.principal, Permission.SearchStop, { project: s.spec.metadata.project, createdBy: s.createdBy })) {
      throw new TrainyardError(ErrorCode.Forbidden, `${auth.principal.id} lacks ${Permission.SearchStop} on search ${id}`, [{ path: '', code: FieldCode.Forbidden, message: `needs ${Permission.SearchStop}` }]);
    }
    await this.searches.execute(id, { type: 'StopSearch', data: { searchId: id, by: auth.principal.id }, metadata: { now: new Date().toISOString() } }, auth.principal.id);
    return searchView(this.searches.get(id)!);
  }

  private found(auth: RequestAuth, id: string): Search {
    const check = new ParamCheck();
    check.matches('id', id, SEARCH_ID, 'a search id');
    check.done();
    const s = this.searches.get(id);
    if (!s || !readable(auth.principal, s)) throw new TrainyardError(ErrorCode.NotFound, `no search ${id}`);
    return s;
  }

  /**
   * The trial template checked as a submission is (its catalogue flavor resolved, in the search's
   * project), and one trial's job built from it checked too, so a trial the scheduler would refuse
   * (too many parameters, a value too long) is refused here. Errors name their path under `job.`.
   */
  private async checkedTemplate(spec: SearchSpec, permissions: string[]): Promise<SearchSpec> {
    const job = spec.job as Record<string, unknown>;
    const meta = (job.metadata ?? {}) as Record<string, unknown>;
    if (meta.project !== undefined && meta.project !== spec.metadata.project) {
      throw new TrainyardError(ErrorCode.ValidationFailed, 'the trial template names another project than the search', [{ path: 'job.metadata.project', code: FieldCode.Conflict, message: `trials run in the search's project ${spec.metadata.project}` }]);
    }
    const resolved = await resolveNativeFlavor(this.catalogue, { ...job, metadata: { ...meta, project: spec.metadata.project } }).catch((err: unknown) => {
      throw err instanceof TrainyardError ? new TrainyardError(err.code, err.message, err.details?.map(under)) : err;
    });
    const template = validateJobSpec(resolved, { permissions });
    if (!template.ok) throw new TrainyardError(specRefusalCode(template.errors), `the trial template has ${template.errors.length} error(s)`, template.errors.map(under));
    const example = trialSpec(template.spec, spec.metadata, spec.search.algorithmParameters.num_samples, gridPoint(spec.search.parameters, 0));
    const trial = validateJobSpec(example, { permissions });
    if (!trial.ok) throw new TrainyardError(specRefusalCode(trial.errors), `a trial's job would have ${trial.errors.length} error(s)`, trial.errors.map(under));
    return { ...spec, job: template.spec };
  }
}

const under = (e: FieldError): FieldError => ({ ...e, path: e.path ? `job.${e.path}` : 'job' });
const readable = (p: Principal, s: Search) => may(p, Permission.SearchRead, { project: s.spec.metadata.project, createdBy: s.createdBy });

/** With an `Idempotency-Key` the search id and command id derive from the key and the caller: a retried POST is the same search. */
function searchIds(principal: string, idempotencyKey: string | undefined): { id: string; commandId: string } {
  if (!idempotencyKey) return { id: randomUUID(), commandId: randomUUID() };
  const h = createHash('sha256').update(`search\n${principal}\n${idempotencyKey}`).digest('hex');
  return { id: `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`, commandId: `idem-search-${h.slice(0, 32)}` };
}
