import { Subjects, type StoredCommit } from '@trainyard/contracts';
import type { EventLog } from '@trainyard/event-log';
import { applyOrQuarantine, type BatchPorts, retryPolicy } from '@trainyard/quarantine';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { migrate } from '../migrate';
import { projectCommits } from '../projection/apply-commit';
import { DEFAULT_PROJECTION, readCheckpoint } from '../projection/checkpoint';
import { commitDeadLetter, quarantineCommit } from '../projection/quarantine-commit';
import { type QueuedCommit, undecodable, undecodableOf } from '../projection/queued-commit';
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

// A rebuild has nothing to wait for: a commit that fails deterministically is quarantined at once
// (in the rebuilt schema's own dead_letters), and an outage that outlasts a few retries fails it.
const REBUILD_POLICY = retryPolicy({ maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 1_000, unknownIs: 'transient' });
const REBUILD_TRANSIENT_ATTEMPTS = 5;

/**
 * Applies the commits from `fromSeq` (default: after the stored checkpoint) up to `upTo` to the
 * tables `db` is bound to, in batches, each with its checkpoint. Returns the checkpoint reached.
 * Commits the projection cannot apply are quarantined as the live projector does (decoded or not),
 * so the rebuilt tables skip the same commits and `verifyProjections` can compare both the tables and
 * which commits each side skipped.
 */
export async function replayInto(
  db: Kysely<Database>,
  eventLog: EventLog,
  options: Omit<RebuildOptions, 'replace'> & { fromSeq?: number } = {},
): Promise<number> {
  const name = options.name ?? DEFAULT_PROJECTION;
  const upTo = options.upTo ?? Number.POSITIVE_INFINITY;
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const stream = (eventLog as { stream?: string }).stream;
  let position = await readCheckpoint(db, name);
  const ports: BatchPorts<QueuedCommit> = {
    apply: async (items) => {
      if (undecodable(items[0])) throw items[0].malformed;
      position = await projectCommits(db, items as StoredCommit[], name);
    },
    quarantine: async (item, failure, attempts) => {
      position = await quarantineCommit(db, name, commitDeadLetter(name, item, failure, attempts, stream));
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    stopped: () => false,
  };
  let batch: QueuedCommit[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await applyOrQuarantine(batch, ports, { policy: REBUILD_POLICY, maxTransientAttempts: REBUILD_TRANSIENT_ATTEMPTS });
    batch = [];
  };
  const add = async (item: QueuedCommit) => {
    if (item.seq > upTo) return;
    // A commit that did not decode goes alone, so the batch before it is applied as one.
    if (undecodable(item)) await flush();
    batch.push(item);
    if (undecodable(item) || batch.length >= batchSize) await flush();
  };
  await eventLog.replay(add, {
    filter: options.filter ?? Subjects.eventsAll,
    fromSeq: options.fromSeq ?? position + 1,
    onMalformed: (malformed) => add(undecodableOf(malformed)),
  });
  await flush();
  return position;
}
