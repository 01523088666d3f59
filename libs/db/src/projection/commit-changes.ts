import { type StoredCommit, Subjects } from '@trainyard/contracts';
import { jobChanges } from './job-changes';
import { nodeChanges } from './node-changes';
import type { RowChange } from './row-change';

/**
 * Every row change one commit makes, chosen by the aggregate its subject names. Commits on subjects
 * the read models do not cover yield nothing (the checkpoint still moves past them).
 */
export function commitChanges(commit: StoredCommit): RowChange[] {
  const aggregate = Subjects.parseAggregate(commit.subject);
  switch (aggregate?.kind) {
    case 'job':
      return jobChanges(aggregate.id, commit);
    case 'node':
      return nodeChanges(aggregate.id, commit);
    case undefined:
      return [];
  }
}
