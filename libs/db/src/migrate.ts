import type { Kysely } from 'kysely';
import { type Migration, type MigrationResult, Migrator, NO_MIGRATIONS } from 'kysely/migration';
import * as readModels from './migrations/0001-read-models';
import * as scheduling from './migrations/0002-scheduling';
import * as logStore from './migrations/0003-log-store';
import * as faultRecovery from './migrations/0004-fault-recovery';
import * as deadLetters from './migrations/0005-dead-letters';
import * as eventIndex from './migrations/0006-event-index';
import * as historySnapshots from './migrations/0007-history-snapshots';
import * as notifications from './migrations/0008-notifications';
import { assertSchemaName } from './schema-name';

/** Every migration, in order. Names sort lexically; add new ones at the end. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-read-models': readModels,
  '0002-scheduling': scheduling,
  '0003-log-store': logStore,
  '0004-fault-recovery': faultRecovery,
  '0005-dead-letters': deadLetters,
  '0006-event-index': eventIndex,
  '0007-history-snapshots': historySnapshots,
  '0008-notifications': notifications,
};

/** A migration failed; `cause` is the database error, `results` says which ran. */
export class MigrationFailed extends Error {
  override readonly name = 'MigrationFailed';
  readonly code = 'MIGRATION_FAILED';
  readonly retryable = false;
  constructor(
    readonly schema: string,
    readonly results: readonly MigrationResult[],
    options?: ErrorOptions,
  ) {
    super(`migration of schema ${schema} failed`, options);
  }
}

function migrator(db: Kysely<any>, schema: string): Migrator {
  return new Migrator({
    // Bound to the schema, so migrations create their tables there; kysely keeps its own
    // `kysely_migration` bookkeeping in the same schema (and creates the schema when missing).
    db: db.withSchema(assertSchemaName(schema)),
    migrationTableSchema: schema,
    provider: { getMigrations: async () => MIGRATIONS },
  });
}

/**
 * Brings `schema` to the latest migration, creating the schema when needed. Safe to run
 * concurrently from several processes (kysely takes a lock).
 *
 * @example
 * ```ts
 * await migrate(handle.db, handle.schema);      // the live read models
 * await migrate(handle.db, 'trainyard_rebuild'); // a scratch schema
 * ```
 */
export async function migrate(db: Kysely<any>, schema: string): Promise<MigrationResult[]> {
  return check(schema, await migrator(db, schema).migrateToLatest());
}

/** Undoes every migration of `schema` (drops its tables; the schema itself stays). */
export async function migrateDown(db: Kysely<any>, schema: string): Promise<MigrationResult[]> {
  return check(schema, await migrator(db, schema).migrateTo(NO_MIGRATIONS));
}

function check(schema: string, { error, results = [] }: { error?: unknown; results?: MigrationResult[] }) {
  if (error) throw new MigrationFailed(schema, results, { cause: error });
  return results;
}
