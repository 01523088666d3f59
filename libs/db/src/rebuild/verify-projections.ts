import { randomBytes } from 'node:crypto';
import type { EventLog } from '@trainyard/event-log';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type Database, PROJECTION_TABLES, type ProjectionTable } from '../database';
import { DEFAULT_PROJECTION, readCheckpoint } from '../projection/checkpoint';
import { projectionConsumer, skippedMessages } from '../queries/dead-letter-queries';
import { assertSchemaName } from '../schema-name';
import { rebuildInto, replayInto } from './rebuild-into';
import { dropSchema } from './schema-admin';

/**
 * One row that differs between the live read models and a rebuild. `dead_letters` differences name
 * a commit one side skipped (quarantined) and the other applied: `live`/`rebuilt` say how each side
 * holds it (`{ state, code }` when skipped, null when applied).
 */
export interface ProjectionDifference {
  table: ProjectionTable | 'dead_letters';
  /** Primary-key columns and values, e.g. `{ job_id: 'j1', name: 'worker-0' }`. */
  key: Record<string, unknown>;
  /** The live row as JSON (`to_jsonb`), or null when only the rebuild has it. */
  live: Record<string, unknown> | null;
  /** The rebuilt row as JSON, or null when only the live tables have it. */
  rebuilt: Record<string, unknown> | null;
}

export interface VerifyResult {
  equal: boolean;
  /** In table order, then primary-key order; at most `maxDifferences` per table. */
  differences: ProjectionDifference[];
  /** The stream sequence both sides were compared at. */
  seq: number;
  /**
   * Commits the live projection quarantined and nobody resolved yet (the read models are degraded:
   * they lack these commits, and so does the rebuild). Empty when healthy.
   */
  quarantined: number[];
}

export interface VerifyOptions {
  /** Checkpoint name of the live projector. Default `read-models`. */
  name?: string;
  /** Stop listing a table's differences after this many. Default 100. */
  maxDifferences?: number;
}

// How often the comparison may find the live projector moved on before giving up.
const MAX_ROUNDS = 10;

/**
 * Proves decision 2 on demand: rebuilds the read models from the log into a scratch schema, compares
 * every projection table with the live one row by row in primary-key order, and drops the scratch
 * schema. The log store is not a projection and is not compared.
 *
 * Both sides are compared at the same sequence: the rebuild stops at the live checkpoint, and if the
 * live projector moves on meanwhile the rebuild catches up to it before comparing again (the
 * comparison itself runs in one repeatable-read snapshot).
 *
 * Each table is compared with one query:
 * ```sql
 * select to_jsonb(l) as live, to_jsonb(r) as rebuilt, coalesce(l."id", r."id") as "k0"
 * from "trainyard"."jobs" as l full join "trainyard_verify_1a2b"."jobs" as r on l."id" = r."id"
 * where to_jsonb(l) is distinct from to_jsonb(r)
 * order by "k0" limit 100
 * ```
 */
export async function verifyProjections(
  db: Kysely<any>,
  liveSchema: string,
  eventLog: EventLog,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  assertSchemaName(liveSchema);
  const name = options.name ?? DEFAULT_PROJECTION;
  const max = options.maxDifferences ?? 100;
  const live = db.withSchema(liveSchema) as Kysely<Database>;
  const scratch = `${liveSchema.slice(0, 40)}_verify_${randomBytes(6).toString('hex')}`;
  try {
    let upTo = await readCheckpoint(live, name);
    await rebuildInto(db, scratch, eventLog, { upTo, name });
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const outcome = await db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const now = await readCheckpoint(trx.withSchema(liveSchema) as unknown as Kysely<Database>, name);
          if (now !== upTo) return { moved: now, differences: undefined, quarantined: [] };
          const differences: ProjectionDifference[] = [];
          for (const table of Object.keys(PROJECTION_TABLES) as ProjectionTable[]) {
            differences.push(...(await compareTable(trx, table, liveSchema, scratch, max)));
          }
          const skipped = await compareSkipped(trx, name, liveSchema, scratch);
          differences.push(...skipped.differences.slice(0, max));
          return { moved: undefined, differences, quarantined: skipped.quarantined };
        });
      if (outcome.differences) {
        return { equal: outcome.differences.length === 0, differences: outcome.differences, seq: upTo, quarantined: outcome.quarantined };
      }
      if (outcome.moved > upTo) {
        await replayInto(db.withSchema(scratch) as Kysely<Database>, eventLog, { upTo: outcome.moved, name });
      } else {
        // The live checkpoint went back (a reset): start the rebuild over.
        await rebuildInto(db, scratch, eventLog, { upTo: outcome.moved, name, replace: true });
      }
      upTo = outcome.moved;
    }
    throw new Error(`verifyProjections: the live projection kept moving for ${MAX_ROUNDS} rounds`);
  } finally {
    await dropSchema(db, scratch);
  }
}

/**
 * Which commits each side skipped: the live projection's dead letters (quarantined or dismissed)
 * against the rebuild's. A commit only one side skipped is a difference (a fixed bug: retry it live;
 * or a live table that took what a rebuild refuses).
 */
async function compareSkipped(trx: Kysely<any>, name: string, liveSchema: string, scratch: string) {
  const consumer = projectionConsumer(name);
  const live = await skippedMessages(trx.withSchema(liveSchema), consumer);
  const rebuilt = await skippedMessages(trx.withSchema(scratch), consumer);
  const liveBySeq = new Map(live.map((m) => [m.seq, m]));
  const rebuiltBySeq = new Map(rebuilt.map((m) => [m.seq, m]));
  const seqs = [...new Set([...liveBySeq.keys(), ...rebuiltBySeq.keys()])].sort((a, b) => a - b);
  const differences: ProjectionDifference[] = [];
  for (const seq of seqs) {
    const l = liveBySeq.get(seq);
    const r = rebuiltBySeq.get(seq);
    if (l && r) continue;
    differences.push({ table: 'dead_letters', key: { stream_seq: seq }, live: l ? { state: l.state, code: l.code } : null, rebuilt: r ? { state: r.state, code: r.code } : null });
  }
  return { differences, quarantined: live.filter((m) => m.state === 'quarantined').map((m) => m.seq) };
}

async function compareTable(
  trx: Kysely<any>,
  table: ProjectionTable,
  liveSchema: string,
  scratch: string,
  max: number,
): Promise<ProjectionDifference[]> {
  const pk = PROJECTION_TABLES[table];
  const join = sql.join(
    pk.map((c) => sql`l.${sql.id(c)} = r.${sql.id(c)}`),
    sql` and `,
  );
  const keys: RawBuilder<unknown>[] = pk.map((c, i) => sql`coalesce(l.${sql.id(c)}, r.${sql.id(c)}) as ${sql.id(`k${i}`)}`);
  const order = sql.join(pk.map((_, i) => sql.id(`k${i}`)));
  const { rows } = await sql<Record<string, unknown> & { live: Record<string, unknown> | null; rebuilt: Record<string, unknown> | null }>`
    select to_jsonb(l) as live, to_jsonb(r) as rebuilt, ${sql.join(keys)}
    from ${sql.id(liveSchema, table)} as l full join ${sql.id(scratch, table)} as r on ${join}
    where to_jsonb(l) is distinct from to_jsonb(r)
    order by ${order}
    limit ${sql.lit(max)}`.execute(trx);
  return rows.map((row) => ({
    table,
    key: Object.fromEntries(pk.map((c, i) => [c, row[`k${i}`]])),
    live: row.live,
    rebuilt: row.rebuilt,
  }));
}
