import { Subjects, type StoredCommit } from '@trainyard/contracts';
import { startSpan, type SpanHandle } from '@trainyard/telemetry';

const TRACER = 'trainyard.scheduler';

/**
 * Each job's trace context (decision 11): the `traceparent` of the commit that created it, so the
 * scheduler's later work on the job — placement, assignments — continues the submission's trace.
 * Fed by the same log subscription as the cluster state.
 */
export class JobTraceContexts {
  private readonly byJob = new Map<string, string>();

  apply(commit: StoredCommit): void {
    const tp = commit.meta.traceparent;
    if (!tp) return;
    const agg = Subjects.parseAggregate(commit.subject);
    if (agg?.kind === 'job' && !this.byJob.has(agg.id)) this.byJob.set(agg.id, tp);
  }

  get(jobId: string): string | undefined {
    return this.byJob.get(jobId);
  }

  /** A span of the scheduler's work on `jobId`, under the job's trace; its `traceparent` goes into the commit meta. */
  span(jobId: string | undefined, name: string, attributes: Record<string, string | number> = {}): SpanHandle {
    return startSpan(TRACER, name, jobId ? this.byJob.get(jobId) : undefined, { 'trainyard.job_id': jobId ?? '', ...attributes });
  }
}
