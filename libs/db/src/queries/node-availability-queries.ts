import type { Kysely } from 'kysely';
import type { Database, NodeIsolationRow } from '../database';

/** A node's availability (fault manager, issue 5): null while in service. */
export interface NodeAvailabilityView {
  id: string;
  availability: 'suspect' | 'isolated' | 'draining' | null;
  isolation: NodeIsolationRow | null;
}

/**
 * Every node's availability, by id.
 *
 * ```sql
 * select "id", "availability", "isolation" from "trainyard"."nodes" order by "id"
 * ```
 */
export async function listNodeAvailability(db: Kysely<Database>): Promise<NodeAvailabilityView[]> {
  const rows = await db.selectFrom('nodes').select(['id', 'availability', 'isolation']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, availability: r.availability, isolation: r.isolation }));
}
