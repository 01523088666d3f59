import type { JobRowUpdate, NewEventRow, NewJobEventRow, NewJobRow, NewNodeRow, NodeRowUpdate, NewTaskRow, TaskRowUpdate } from '../database';

/**
 * One write the projection makes, as plain data. The pure half of the projection turns a commit into
 * these (`commitChanges`); `writeChanges` turns them into SQL. Keeping them apart lets the mapping from
 * events to rows be tested without a database.
 */
export type RowChange =
  | { kind: 'insert-job'; row: NewJobRow }
  /** `setIfNull` columns are written only while still null (`coalesce`): first value wins. */
  | { kind: 'update-job'; id: string; set: JobRowUpdate; setIfNull?: Pick<JobRowUpdate, 'started_at'> }
  | { kind: 'insert-tasks'; rows: NewTaskRow[] }
  /**
   * Applies only while the row's attempt is at most `attempt`: a late event of an older attempt
   * (a straggler `TaskExited` after a re-dispatch) never overwrites the newer attempt.
   */
  | { kind: 'update-task'; jobId: string; name: string; attempt: number; set: TaskRowUpdate }
  | { kind: 'insert-job-events'; rows: NewJobEventRow[] }
  /** Rows of the cluster-wide event index (issue 17). */
  | { kind: 'insert-events'; rows: NewEventRow[] }
  | { kind: 'upsert-node'; row: NewNodeRow }
  /**
   * Description, tags or experiment changed after creation: merged into `spec.metadata` (so the tag and
   * experiment filters see them) and the description column; `experiment: null` removes it.
   */
  | { kind: 'patch-job-metadata'; id: string; patch: { description?: string; tags?: { key: string; value: string }[]; experiment?: string | null } }
  /** Availability of a node (fault manager): suspect, isolated, draining, back in service. */
  | { kind: 'update-node'; id: string; set: NodeRowUpdate };
