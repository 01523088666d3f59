// Test support (@trainyard/testing/db): the same suite runs against the real PostgreSQL and PGlite.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { createDatabase, type Database, type DatabaseHandle, dropSchema, migrate } from '@trainyard/db';
import { freshSchema } from '../postgres-schema';

export const BACKENDS = ['postgres', 'pglite'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** A migrated schema of its own for one test. */
export interface TestDb extends AsyncDisposable {
  /** Bound to `schema`. */
  db: Kysely<Database>;
  schema: string;
  /** The open database (pool or PGlite), to bind other schemas or open a second projector. */
  handle: DatabaseHandle;
}

/**
 * Registers the backend's lifetime hooks in the current `describe` and returns a factory of fresh,
 * migrated schemas. One pool / one PGlite per describe; one schema per test.
 */
export function useBackend(name: BackendName): { open(): Promise<TestDb> } {
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    handle = name === 'postgres' ? createDatabase({ url: 'postgres://postgres@127.0.0.1:5432/test' }) : createDatabase();
  });
  afterAll(async () => {
    await handle?.close();
  });
  return {
    async open() {
      if (!handle) throw new Error('useBackend: open() before beforeAll');
      const h = handle;
      let schema: string;
      let drop: () => Promise<void>;
      if (name === 'postgres') {
        const s = await freshSchema();
        schema = s.schema;
        drop = () => s.drop();
      } else {
        schema = `t_${randomBytes(6).toString('hex')}`;
        drop = () => dropSchema(h.db, schema);
      }
      await migrate(h.db, schema);
      return { db: h.db.withSchema(schema), schema, handle: h, [Symbol.asyncDispose]: drop };
    },
  };
}
