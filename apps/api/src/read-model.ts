import type { ClusterEventView } from '@trainyard/contracts';
import type {
  EventQuery, ExperimentSummary, JobChange, JobEventView, JobSummary, JobView as DbJobView, ListDeadLettersQuery, ListJobsQuery, NodeView, PoolView, ProjectorHealth, RetryOutcome, VerifyResult,
} from '@trainyard/db';
import type { DeadLetterRecord, QuarantineSummary } from '@trainyard/quarantine';
import type { AuditEntry, AuditQuery } from './audit/audit-entry';
import type { DbHistory } from './history/db-history';
import type { NotificationStore } from './notifications/notification-store';

/**
 * What the HTTP face reads: views over the PostgreSQL projections (never the log itself), plus the
 * two projection controls it needs — wait for a sequence (read your own writes) and verify a rebuild.
 */
export interface ReadModel {
  listJobs(q: Omit<ListJobsQuery, 'state'> & { state?: string | readonly string[] }): Promise<{ items: JobSummary[]; total: number }>;
  /** Experiments with their job counts, newest first (jobs of `projects` only, when given). */
  listExperiments(q: { projects?: readonly string[]; limit: number }): Promise<ExperimentSummary[]>;
  /** Jobs changed by commits after `afterSeq`, oldest change first (the live job list). */
  jobChanges(afterSeq: number, limit: number): Promise<JobChange[]>;
  /** Commits principals made on jobs and nodes, newest first. */
  listAudit(q: AuditQuery): Promise<AuditEntry[]>;
  getJob(id: string): Promise<JobView | undefined>;
  listJobEvents(jobId: string): Promise<JobEventView[]>;
  listNodes(): Promise<NodeRow[]>;
  /** Past moments, explanations, goodput and export (issue 17). */
  history(): DbHistory;
  /** The cluster-wide event index in log order (issue 17, `GET /v1/events`). */
  listEvents(q: EventQuery): Promise<ClusterEventView[]>;
  listPools(): Promise<PoolRow[]>;
  /** Resolves once the projection has applied the commit at `seq` (or rejects after the timeout). */
  waitFor(seq: number, timeoutMs: number): Promise<void>;
  /** The last stream sequence the read models include. */
  position(): number;
  verify(): Promise<VerifyResult>;
  /** The projector's state and the database's open dead letters (`/healthz`). */
  health(): Promise<{ projection: ProjectorHealth; quarantine: QuarantineSummary }>;
  listDeadLetters(q: ListDeadLettersQuery): Promise<DeadLetterRecord[]>;
  /** Applies dead letter `id` (of `dead_letters`) again; undefined when there is none. */
  retryDeadLetter(id: number): Promise<RetryOutcome | undefined>;
  /** Marks dead letter `id` dismissed; false when there is none. */
  dismissDeadLetter(id: number, resolution: string): Promise<boolean>;
  /** Subscription secrets and the notifier's delivery log (issue 15). */
  notificationStore(): NotificationStore;
}

/**
 * The views are the read models' own shapes (libs/db), minus what is internal to the projection:
 * one definition, so the HTTP contract cannot drift from what the queries return.
 */
export type { JobSummary, TaskView, JobEventView } from '@trainyard/db';
export type JobView = Omit<DbJobView, 'lastSeq'>;
export type NodeRow = NodeView;
export type PoolRow = PoolView;
