import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshSchema } from './postgres-schema';

async function schemaExists(url: string, schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from information_schema.schemata where schema_name = $1', [schema]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('freshSchema', () => {
  it('freshSchema - creates a unique empty schema and drops it on dispose', async () => {
    let name: string;
    let url: string;
    {
      await using a = await freshSchema();
      await using b = await freshSchema();
      expect(a.schema).not.toBe(b.schema);
      expect(await schemaExists(a.url, a.schema)).toBe(true);
      name = a.schema;
      url = a.url;
    }
    expect(await schemaExists(url, name)).toBe(false);
  });

  it('freshSchema - drop is idempotent', async () => {
    const s = await freshSchema();
    await s.drop();
    await s.drop();
    expect(await schemaExists(s.url, s.schema)).toBe(false);
  });
});
