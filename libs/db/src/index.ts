// The read models (decision 2): kysely schema, migrations, projection, rebuild, queries.
export * from './database';
export * from './states';
export * from './create-database';
export * from './migrate';
export { assertSchemaName } from './schema-name';

export { applyCommit, projectCommits } from './projection/apply-commit';
export { commitChanges } from './projection/commit-changes';
export type { RowChange } from './projection/row-change';
export { writeChanges } from './projection/write-changes';
export { DEFAULT_PROJECTION, readCheckpoint } from './projection/checkpoint';
export { Projector, type ProjectorHealth, type ProjectorOptions } from './projection/projector';
export { commitDeadLetter, quarantineCommit } from './projection/quarantine-commit';
export { retryProjectionDeadLetter, type RetryOutcome } from './projection/retry-dead-letter';
export { ProjectionTimeout } from './projection/projection-timeout';
export { UnknownEventType } from './projection/unknown-event-type';
export { UnprojectableCommit } from './projection/unprojectable-commit';

export { rebuildInto, replayInto, type RebuildOptions } from './rebuild/rebuild-into';
export * from './rebuild/verify-projections';
export { dropSchema, schemaExists } from './rebuild/schema-admin';

export * from './queries/job-queries';
export * from './queries/experiment-queries';
export * from './queries/job-event-queries';
export * from './queries/node-queries';
export * from './queries/node-availability-queries';
export * from './queries/log-line-queries';
export * from './queries/log-store-queries';
export * from './queries/log-search-queries';
export * from './queries/log-store-tables';
export * from './queries/metric-sample-queries';
export * from './queries/dashboard-queries';
export * from './queries/pool-queries';
export * from './queries/audit-queries';
export * from './queries/overview-queries';
export * from './queries/dead-letter-queries';
export { quarantineLogMessage, restoreLogMessage } from './queries/log-dead-letters';
export { LogWriteBuilder, MalformedLogBatch } from './queries/log-write-builder';
export { NotRetryable, retryDeadLetter } from './retry-dead-letter';
export * from './queries/event-queries';
export * from './queries/history-snapshot-queries';
export { eventIndexChanges } from './projection/event-index-changes';
export * from './queries/notification-queries';
