import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DEFAULT_SCHEMA, type Database } from './database';
import { assertSchemaName } from './schema-name';

/** Where the read models live. */
export interface DatabaseOptions {
  /**
   * A PostgreSQL URL (`postgres://user@host:5432/db`): a `pg` pool is used. Without one, an embedded
   * PGlite (real Postgres compiled to WASM) serves the same SQL. Callers read `TY_DATABASE_URL`; this
   * function reads no environment.
   */
  url?: string;
  /** PGlite only: persist in this directory instead of memory. */
  dataDir?: string;
  /** Schema holding every table. Default `trainyard`. */
  schema?: string;
  /** `pg` only: maximum connections in the pool (default 10). */
  poolSize?: number;
  /**
   * `pg` only: told when an idle pooled connection breaks (the server restarted or cut it). The pool
   * drops that connection and opens a new one for the next query. Default: one line on stderr.
   */
  onIdleError?: (err: Error) => void;
}

/** An open database and the schema its queries are bound to. */
export interface DatabaseHandle extends AsyncDisposable {
  /** Bound to `schema`: `db.selectFrom('jobs')` reads `"<schema>"."jobs"`. */
  db: Kysely<Database>;
  schema: string;
  backend: 'postgres' | 'pglite';
  /** Closes the pool, or the PGlite instance. */
  close(): Promise<void>;
}

/**
 * Opens the read-model database. It does not migrate: call `migrate(handle.db, handle.schema)`.
 *
 * @example
 * ```ts
 * const handle = createDatabase({ url: process.env.TY_DATABASE_URL });
 * await migrate(handle.db, handle.schema);
 * const { items } = await listJobs(handle.db, { limit: 20, offset: 0 });
 * await handle.close();
 * ```
 */
export function createDatabase(options: DatabaseOptions = {}): DatabaseHandle {
  const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const root = new Kysely<Database>({ dialect: options.url ? postgresDialect(options) : pgliteDialect(options) });
  const close = () => root.destroy();
  return {
    db: root.withSchema(schema),
    schema,
    backend: options.url ? 'postgres' : 'pglite',
    close,
    [Symbol.asyncDispose]: close,
  };
}

const INT8_OID = 20;

function postgresDialect(options: DatabaseOptions): PostgresDialect {
  // Stream sequences and counts are int8; pg would hand them over as strings, PGlite as numbers.
  // Parse them as numbers on this pool only (not globally) so both backends return the same rows.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types });
  // An idle connection's error is emitted on the pool; with no listener it would end the process
  // (a PostgreSQL restart took the API and the log router down with it). The next query reconnects.
  pool.on('error', options.onIdleError ?? ((err) => console.error(`database: an idle connection broke (${err.message}); the next query opens a new one`)));
  // A connection in use emits its error too, and the pool listens only while it is idle. The query
  // it runs is rejected with that error (its caller's to handle), and the pool drops the connection
  // when it comes back; the event itself must not end the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new PostgresDialect({ pool });
}

function pgliteDialect(options: DatabaseOptions): PGliteDialect {
  // kysely's PGlite dialect already serializes every connection use (PGlite is single-connection), so
  // transactions never interleave. The WASM module loads only when the first query runs.
  return new PGliteDialect({
    pglite: async () => {
      const { PGlite } = await import('@electric-sql/pglite');
      // PGlite creates its own directory but not the parents (`.data/` on a fresh checkout).
      if (options.dataDir) mkdirSync(dirname(options.dataDir), { recursive: true });
      return new PGlite(options.dataDir ? { dataDir: options.dataDir } : {});
    },
  });
}
