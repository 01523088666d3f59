import type { StoredCommit } from '@trainyard/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { advanceCheckpoint, DEFAULT_PROJECTION, lockCheckpoint } from './checkpoint';
import { commitChanges } from './commit-changes';
import { writeChanges } from './write-changes';

/**
 * Writes the read-model rows of one commit (jobs, tasks and job events from `ty.ev.job.*`, nodes from
 * `NodeRegistered` on `ty.ev.node.*`) inside the caller's transaction. It does not touch the
 * checkpoint: use `projectCommits` for that, or wrap both yourself.
 */
export async function applyCommit(trx: Kysely<Database>, commit: StoredCommit): Promise<void> {
  await writeChanges(trx, commitChanges(commit));
}

/**
 * Applies `commits` (in stream order) and moves checkpoint `name` to the last of them, all in ONE
 * transaction: either every row and the checkpoint are written, or nothing is. Commits at or below
 * the stored checkpoint are skipped, so a re-delivered commit, or a second projector racing on the
 * same tables, never applies anything twice. Returns the checkpoint after the transaction.
 */
export async function projectCommits(
  db: Kysely<Database>,
  commits: readonly StoredCommit[],
  name: string = DEFAULT_PROJECTION,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const current = await lockCheckpoint(trx, name);
    const fresh = commits.filter((c) => c.seq > current);
    for (let i = 1; i < fresh.length; i++) {
      if (fresh[i].seq <= fresh[i - 1].seq) throw new RangeError(`commits out of stream order at seq ${fresh[i].seq}`);
    }
    if (!fresh.length) return current;
    await writeChanges(trx, fresh.flatMap(commitChanges));
    const last = fresh[fresh.length - 1].seq;
    await advanceCheckpoint(trx, name, last);
    return last;
  });
}
