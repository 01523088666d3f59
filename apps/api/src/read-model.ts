import type { JobChange, JobEventView, JobSummary, JobView as DbJobView, ListJobsQuery, NodeView, PoolView } from '@trainyard/db';
import type { AuditEntry, AuditQuery } from './audit/audit-entry';

/**
 * What the HTTP face reads: views over the PostgreSQL projections (never the log itself), plus the
 * two projection controls it needs — wait for a sequence (read your own writes) and verify a rebuild.
 */
export interface ReadModel {
  listJobs(q: Omit<ListJobsQuery, 'state'> & { state?: string }): Promise<{ items: JobSummary[]; total: number }>;
  /** Jobs changed by commits after `afterSeq`, oldest change first (the live job list). */
  jobChanges(afterSeq: number, limit: number): Promise<JobChange[]>;
  /** Commits principals made on jobs and nodes, newest first. */
  listAudit(q: AuditQuery): Promise<AuditEntry[]>;
  getJob(id: string): Promise<JobView | undefined>;
  listJobEvents(jobId: string): Promise<JobEventView[]>;
  listNodes(): Promise<NodeRow[]>;
  listPools(): Promise<PoolRow[]>;
  /** Resolves once the projection has applied the commit at `seq` (or rejects after the timeout). */
  waitFor(seq: number, timeoutMs: number): Promise<void>;
  /** The last stream sequence the read models include. */
  position(): number;
  verify(): Promise<{ equal: boolean; differences: unknown[] }>;
}

/**
 * The views are the read models' own shapes (libs/db), minus what is internal to the projection:
 * one definition, so the HTTP contract cannot drift from what the queries return.
 */
export type { JobSummary, TaskView, JobEventView } from '@trainyard/db';
export type JobView = Omit<DbJobView, 'lastSeq'>;
export type NodeRow = NodeView;
export type PoolRow = PoolView;
