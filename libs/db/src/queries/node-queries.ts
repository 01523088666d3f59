import type { Capacity } from '@trainyard/contracts';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { OCCUPYING_TASK_STATES, RESTARTABLE_TASK_STATES } from '../states';
import { iso } from './iso';

/** A node with what it offers and what its tasks take. */
export interface NodeView {
  id: string;
  host: string;
  pool: string;
  capacity: Capacity;
  /** Sum of the flavors of the tasks assigned to or running on the node. */
  used: Pick<Capacity, 'cpu' | 'memoryMiB' | 'gpu' | 'npu'>;
  labels: Record<string, string>;
  registeredAt: string;
}

const flavor = (field: string) => sql<number>`coalesce(sum((j.spec #>> ${sql.lit(`{spec,resource,flavor,${field}}`)})::float8), 0)`;

/**
 * Every registered node, by id, with its used capacity: the flavor (`spec.resource.flavor` of the
 * job) of every task in state `assigned` or `running` on it, and of a running job's tasks of its current
 * attempt that exited there (the fault manager may restart them in place) — the same sum the scheduler
 * plans with (domain `tasksHoldingNodes`; a task of an ended job holds its node until its exit is reported).
 *
 * ```sql
 * select "n"."id", "n"."host", "n"."pool", "n"."capacity", "n"."labels", "n"."registered_at",
 *   coalesce("u"."cpu", $1) as "used_cpu", … "used_memory", … "used_gpu", … "used_npu"
 * from "trainyard"."nodes" as "n"
 * left join (
 *   select "t"."node_id",
 *     coalesce(sum((j.spec #>> '{spec,resource,flavor,cpu}')::float8), 0) as "cpu", … memoryMiB, gpu, npu
 *   from "trainyard"."tasks" as "t" inner join "trainyard"."jobs" as "j" on "j"."id" = "t"."job_id"
 *   where ("t"."state" in ($5, $6) or ("t"."state" in ($7, $8) and "j"."state" = $9 and "t"."attempt" = "j"."attempt" and "t"."node_id" is not null))
 *   group by "t"."node_id"
 * ) as "u" on "u"."node_id" = "n"."id"
 * order by "n"."id"
 * ```
 */
export async function listNodes(db: Kysely<Database>): Promise<NodeView[]> {
  const used = db
    .selectFrom('tasks as t')
    .innerJoin('jobs as j', 'j.id', 't.job_id')
    .select(['t.node_id', flavor('cpu').as('cpu'), flavor('memoryMiB').as('memory'), flavor('gpu').as('gpu'), flavor('npu').as('npu')])
    .where(({ eb, and, or, ref }) => or([
      eb('t.state', 'in', OCCUPYING_TASK_STATES),
      and([eb('t.state', 'in', RESTARTABLE_TASK_STATES), eb('j.state', '=', 'running'), eb('t.attempt', '=', ref('j.attempt')), eb('t.node_id', 'is not', null)]),
    ]))
    .groupBy('t.node_id')
    .as('u');
  const rows = await db
    .selectFrom('nodes as n')
    .leftJoin(used, 'u.node_id', 'n.id')
    .select(({ fn, ref, val }) => [
      'n.id',
      'n.host',
      'n.pool',
      'n.capacity',
      'n.labels',
      'n.registered_at',
      fn.coalesce(ref('u.cpu'), val(0)).as('used_cpu'),
      fn.coalesce(ref('u.memory'), val(0)).as('used_memory'),
      fn.coalesce(ref('u.gpu'), val(0)).as('used_gpu'),
      fn.coalesce(ref('u.npu'), val(0)).as('used_npu'),
    ])
    .orderBy('n.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    host: r.host,
    pool: r.pool,
    capacity: r.capacity,
    used: { cpu: round(r.used_cpu), memoryMiB: round(r.used_memory), gpu: round(r.used_gpu), npu: round(r.used_npu) },
    labels: r.labels,
    registeredAt: iso(r.registered_at),
  }));
}

// Fractional vCPUs summed as float8 (0.1 + 0.2); three decimals is finer than any flavor.
const round = (n: number | string) => Math.round(Number(n) * 1000) / 1000;
