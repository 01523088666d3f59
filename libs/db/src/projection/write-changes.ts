import { type Kysely, sql } from 'kysely';
import type { Database, NewEventRow, NewJobEventRow } from '../database';
import type { RowChange } from './row-change';

// 10 parameters per event row; PostgreSQL allows 65,535 per statement.
const EVENT_ROWS_PER_INSERT = 1000;
// 15 parameters per event-index row.
const INDEX_ROWS_PER_INSERT = 1000;

/**
 * Executes row changes inside the caller's transaction. Inserts and task updates run in order. Two
 * kinds are deferred because nothing else reads what they write: job-row updates (unconditional, so
 * all of one job's merge into one statement, later fields winning) and `job_events` inserts (many
 * rows per statement), and so are event-index rows. A batch of commits thus costs one update per job, not one per commit.
 */
export async function writeChanges(trx: Kysely<Database>, changes: readonly RowChange[]): Promise<void> {
  const jobUpdates = new Map<string, Pick<RowChange & { kind: 'update-job' }, 'set' | 'setIfNull'>>();
  const events: NewJobEventRow[] = [];
  const indexed: NewEventRow[] = [];
  for (const change of changes) {
    switch (change.kind) {
      case 'insert-job':
        // A second JobCreated for one id cannot pass the log's expected-sequence check; if it ever
        // did, the first one stands.
        await trx.insertInto('jobs').values(change.row).onConflict((oc) => oc.column('id').doNothing()).execute();
        break;
      case 'insert-tasks':
        if (change.rows.length) {
          await trx
            .insertInto('tasks')
            .values(change.rows)
            .onConflict((oc) => oc.columns(['job_id', 'name']).doNothing())
            .execute();
        }
        break;
      case 'update-job':
        {
          const prev = jobUpdates.get(change.id);
          jobUpdates.set(change.id, {
            set: { ...prev?.set, ...change.set },
            setIfNull: { ...change.setIfNull, ...prev?.setIfNull },
          });
        }
        break;
      case 'update-task':
        await trx
          .updateTable('tasks')
          .set(change.set)
          .where('job_id', '=', change.jobId)
          .where('name', '=', change.name)
          .where('attempt', '<=', change.attempt)
          .execute();
        break;
      case 'insert-job-events':
        events.push(...change.rows);
        break;
      case 'insert-events':
        indexed.push(...change.rows);
        break;
      case 'upsert-node':
        await trx
          .insertInto('nodes')
          .values(change.row)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              host: eb.ref('excluded.host'),
              pool: eb.ref('excluded.pool'),
              capacity: eb.ref('excluded.capacity'),
              labels: eb.ref('excluded.labels'),
              registered_at: eb.ref('excluded.registered_at'),
              last_seq: eb.ref('excluded.last_seq'),
            })),
          )
          .execute();
        break;
      case 'patch-job-metadata': {
        const { experiment, ...rest } = change.patch;
        const set = experiment === undefined ? rest : experiment === null ? rest : { ...rest, experiment };
        let metadata = sql`(spec->'metadata') || ${JSON.stringify(set)}::jsonb`;
        if (experiment === null) metadata = sql`(${metadata}) - 'experiment'`;
        await trx
          .updateTable('jobs')
          .set({
            spec: sql`jsonb_set(spec, '{metadata}', ${metadata})`,
            ...(rest.description !== undefined ? { description: rest.description } : {}),
          })
          .where('id', '=', change.id)
          .execute();
        break;
      }
      case 'update-node':
        await trx.updateTable('nodes').set(change.set).where('id', '=', change.id).execute();
        break;
      default: {
        const unknown: never = change;
        throw new Error(`unhandled row change ${JSON.stringify(unknown)}`);
      }
    }
  }
  for (const [id, { set, setIfNull = {} }] of jobUpdates) {
    const ifNull = Object.fromEntries(Object.entries(setIfNull).map(([c, v]) => [c, sql`coalesce(${sql.ref(c)}, ${v})`]));
    await trx.updateTable('jobs').set({ ...set, ...ifNull }).where('id', '=', id).execute();
  }
  for (let i = 0; i < events.length; i += EVENT_ROWS_PER_INSERT) {
    await trx.insertInto('job_events').values(events.slice(i, i + EVENT_ROWS_PER_INSERT)).execute();
  }
  for (let i = 0; i < indexed.length; i += INDEX_ROWS_PER_INSERT) {
    await trx.insertInto('events').values(indexed.slice(i, i + INDEX_ROWS_PER_INSERT)).execute();
  }
}
