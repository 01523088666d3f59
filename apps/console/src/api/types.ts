/**
 * The public API's answers the console reads: the shared wire shapes of `@trainyard/contracts`
 * (http-api.ts, also the CLI's), under the names the console's pages use.
 */
export type {
  AuditEntry, AuthConfig, DashboardFiguresView as DashboardFigures, DashboardOverview, FieldError, JobEventView as JobEvent, JobPage,
  JobSummary, JobView as Job, LogLine, MetricSeries, NodeView as NodeItem, PoolView as Pool, RecoveryView, Resources as Amounts, Tag,
  TaskView as Task, TrainingJobSpec, TrendPoint,
} from '@trainyard/contracts';

export type JobState = 'creating' | 'waiting' | 'running' | 'terminating' | 'terminated' | 'completed' | 'failed' | 'abnormal' | 'deleting' | 'deleted';
