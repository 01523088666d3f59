import { type Kysely, sql } from 'kysely';
import { assertSchemaName } from '../schema-name';

export async function schemaExists(db: Kysely<any>, schema: string): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`select 1 as one from information_schema.schemata where schema_name = ${schema}`.execute(db);
  return rows.length > 0;
}

export async function dropSchema(db: Kysely<any>, schema: string): Promise<void> {
  await sql`drop schema if exists ${sql.id(assertSchemaName(schema))} cascade`.execute(db);
}
