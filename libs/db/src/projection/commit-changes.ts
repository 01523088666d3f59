import { type StoredCommit, Subjects } from '@trainyard/contracts';
import { eventIndexChanges } from './event-index-changes';
import { jobChanges } from './job-changes';
import { nodeChanges } from './node-changes';
import type { RowChange } from './row-change';
import { UnknownEventType } from './unknown-event-type';
import { UnprojectableCommit } from './unprojectable-commit';

/** The schema version the projection reads: what the log's `upcast` brings every event to today. */
const PROJECTED_VERSION = 1;

/**
 * Every row change one commit makes, chosen by the aggregate its subject names; every job and node
 * commit also feeds the event index. Commits on subjects the read models do not cover yield nothing
 * (the checkpoint still moves past them). Pure; whatever
 * it throws is final for that commit (`UnknownEventType`, or `UnprojectableCommit` around the cause).
 */
export function commitChanges(commit: StoredCommit): RowChange[] {
  try {
    for (const e of commit.events) {
      if (e.version !== PROJECTED_VERSION) throw new UnknownEventType(e.type, commit.seq, e.version);
    }
    const aggregate = Subjects.parseAggregate(commit.subject);
    switch (aggregate?.kind) {
      case 'job':
        return [...jobChanges(aggregate.id, commit), ...eventIndexChanges(commit)];
      case 'node':
        return [...nodeChanges(aggregate.id, commit), ...eventIndexChanges(commit)];
      case undefined:
        return [];
    }
  } catch (err) {
    if (err instanceof UnknownEventType) throw err;
    throw new UnprojectableCommit(commit.seq, commit.subject, { cause: err });
  }
}
