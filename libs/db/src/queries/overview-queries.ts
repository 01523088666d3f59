import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/**
 * Accelerator cards requested by the running jobs (the dashboard's 当前资源请求量（卡）, L8818-8819):
 * flavor cards × instances, summed.
 *
 * ```sql
 * select coalesce(sum((spec #>> '{spec,resource,flavor,gpu}')::float8 * node_count), 0) as "gpu", … "npu"
 * from "trainyard"."jobs" where "state" = 'running'
 * ```
 */
export async function requestedCards(db: Kysely<Database>): Promise<{ gpu: number; npu: number }> {
  const cards = (kind: 'gpu' | 'npu') => sql<number>`coalesce(sum((spec #>> ${sql.lit(`{spec,resource,flavor,${kind}}`)})::float8 * node_count), 0)`;
  const row = await db.selectFrom('jobs').select([cards('gpu').as('gpu'), cards('npu').as('npu')]).where('state', '=', 'running').executeTakeFirst();
  return { gpu: Number(row?.gpu ?? 0), npu: Number(row?.npu ?? 0) };
}
