import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The development machines' PostgreSQL (trust auth). */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own on the real PostgreSQL, for one test. */
export interface FreshSchema extends AsyncDisposable {
  url: string;
  /** `t_<12 hex>`: unique, created empty. */
  schema: string;
  /** Drops the schema and everything in it. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named, empty schema, so tests share one database without seeing each other's
 * tables. Dispose it (`await using`) or call `drop()`.
 *
 * @example
 * ```ts
 * await using pgs = await freshSchema();
 * const handle = createDatabase({ url: pgs.url, schema: pgs.schema });
 * ```
 */
export async function freshSchema(url: string = DEFAULT_TEST_DATABASE_URL): Promise<FreshSchema> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await run(url, `create schema "${schema}"`);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await run(url, `drop schema if exists "${schema}" cascade`);
  };
  return { url, schema, drop, [Symbol.asyncDispose]: drop };
}

async function run(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
