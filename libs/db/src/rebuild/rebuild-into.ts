import { Subjects, type StoredCommit } from '@trainyard/contracts';
import type { EventLog } from '@trainyard/event-log';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { migrate } from '../migrate';
import { projectCommits } from '../projection/apply-commit';
import { DEFAULT_PROJECTION, readCheckpoint } from '../projection/checkpoint';
import { assertSchemaName } from '../schema-name';
import { dropSchema, schemaExists } from './schema-admin';

export interface RebuildOptions {
  /** Apply commits up to this sequence only (default: the end of the log when replay starts). */
  upTo?: number;
  /** Checkpoint name written in the rebuilt schema. Default `read-models`, like the projector. */
  name?: string;
  /** Subjects to replay. Default `ty.ev.>`, like the projector. */
  filter?: string;
  /** Commits per transaction. Default 1000. */
  batchSize?: number;
  /** Drop `schema` first if it exists. Without it an existing schema is an error. */
  replace?: boolean;
}

/**
 * Replays the whole event log into a fresh schema: creates and migrates `schema`, then applies every
 * commit through the same code as the live projector. The log store tables are created but stay empty (the
 * log router owns it). Returns the checkpoint reached.
 *
 * @example
 * ```ts
 * const seq = await rebuildInto(handle.db, 'trainyard_rebuild', eventLog);
 * ```
 */
export async function rebuildInto(db: Kysely<any>, schema: string, eventLog: EventLog, options: RebuildOptions = {}): Promise<number> {
  assertSchemaName(schema);
  if (await schemaExists(db, schema)) {
    if (!options.replace) throw new Error(`schema ${schema} already exists; pass replace: true to drop it`);
    await dropSchema(db, schema);
  }
  await migrate(db, schema);
  return replayInto(db.withSchema(schema) as Kysely<Database>, eventLog, { ...options, fromSeq: 1 });
}

/**
 * Applies the commits from `fromSeq` (default: after the stored checkpoint) up to `upTo` to the
 * tables `db` is bound to, in batches, each with its checkpoint. Returns the checkpoint reached.
 */
export async function replayInto(
  db: Kysely<Database>,
  eventLog: EventLog,
  options: Omit<RebuildOptions, 'replace'> & { fromSeq?: number } = {},
): Promise<number> {
  const name = options.name ?? DEFAULT_PROJECTION;
  const upTo = options.upTo ?? Number.POSITIVE_INFINITY;
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  let position = await readCheckpoint(db, name);
  let batch: StoredCommit[] = [];
  const flush = async () => {
    if (!batch.length) return;
    position = await projectCommits(db, batch, name);
    batch = [];
  };
  await eventLog.replay(
    async (commit) => {
      if (commit.seq > upTo) return;
      batch.push(commit);
      if (batch.length >= batchSize) await flush();
    },
    { filter: options.filter ?? Subjects.eventsAll, fromSeq: options.fromSeq ?? position + 1 },
  );
  await flush();
  return position;
}
