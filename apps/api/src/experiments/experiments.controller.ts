import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { finalMetrics, type ExperimentComparison, type ExperimentList } from '@trainyard/contracts';
import { READS } from '../api.tokens';
import { Auth, type RequestAuth } from '../auth/request-auth';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { LOG_READS, type LogReads } from '../training-jobs/log-reads';
import { readableProjects } from '../training-jobs/job-project';

/** Most jobs one comparison shows, and how many of the last log lines of rank 0 it reads for metrics. */
const MAX_JOBS = 200;
const METRIC_LINES = 500;

/**
 * `GET /v1/experiments/{name}`: the jobs of an experiment (`metadata.experiment`) side by side — each
 * job's hyperparameters and its final metrics, the last `name=number` values its rank-0 task printed
 * (`finalMetrics`), with the union of names as columns. Only jobs the caller may read are shown.
 */
@Controller('v1/experiments')
export class ExperimentsController {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(LOG_READS) private readonly logs: LogReads,
  ) {}

  /** `GET /v1/experiments`: every experiment a job the caller may read belongs to, with its job count. */
  @Get()
  async list(@Auth() auth: RequestAuth, @Query() q: Record<string, string>): Promise<ExperimentList> {
    const check = new ParamCheck();
    const limit = check.int('limit', q.limit, { min: 1, max: 500, fallback: 100 });
    check.done();
    return { items: await this.reads.listExperiments({ projects: readableProjects(auth.principal), limit }) };
  }

  @Get(':name')
  async compare(@Auth() auth: RequestAuth, @Param('name') name: string): Promise<ExperimentComparison> {
    const check = new ParamCheck();
    check.matches('name', name, /^[A-Za-z0-9_.-]{1,64}$/, 'an experiment name');
    check.done();
    const { items } = await this.reads.listJobs({ limit: MAX_JOBS, offset: 0, experiment: name, projects: readableProjects(auth.principal), order: 'asc' });
    const jobs = await Promise.all(
      items.map(async (s) => {
        const job = await this.reads.getJob(s.id);
        const parameters = Object.fromEntries((job?.spec.algorithm.parameters ?? []).map((p) => [p.name, p.value]));
        const attempt = await this.logs.lastAttempt(s.id, 'worker-0');
        const lines = attempt ? await this.logs.tail({ jobId: s.id, task: 'worker-0', attempt, lines: METRIC_LINES }) : [];
        return { id: s.id, name: s.name, state: s.state, parameters, metrics: finalMetrics(lines.map((l) => l.text)) };
      }),
    );
    const union = (pick: (j: (typeof jobs)[number]) => object) => [...new Set(jobs.flatMap((j) => Object.keys(pick(j))))].sort();
    return { experiment: name, parameters: union((j) => j.parameters), metrics: union((j) => j.metrics), jobs };
  }
}
