const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Schema names are interpolated as quoted identifiers; keeping them to lower-case identifier
 * characters also keeps them usable unquoted in psql and in logs.
 */
export function assertSchemaName(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new RangeError(`invalid schema name ${JSON.stringify(name)}: expected ${SCHEMA_NAME}`);
  }
  return name;
}
