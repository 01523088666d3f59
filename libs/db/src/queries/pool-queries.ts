import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { listNodes, type NodeView } from './node-queries';

type Amounts = NodeView['used'];

/** One resource pool: its nodes and what they offer, hold and have free. */
export interface PoolView {
  name: string;
  /** Node ids, sorted. */
  nodes: string[];
  /** Sums over the pool's nodes. */
  capacity: Amounts;
  used: Amounts;
  free: Amounts;
  /** Supernode label value → node ids (`trainyard.io/supernode`, or `supernode`), for affinity groups. */
  supernodes: Record<string, string[]>;
}

/** The node labels that name a node's supernode, first match wins. */
export const SUPERNODE_LABELS = ['trainyard.io/supernode', 'supernode'] as const;

const ZERO: Amounts = { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
const KEYS = ['cpu', 'memoryMiB', 'gpu', 'npu'] as const;
const plus = (a: Amounts, b: Partial<Amounts>): Amounts =>
  Object.fromEntries(KEYS.map((k) => [k, round(a[k] + (b[k] ?? 0))])) as Amounts;
const minus = (a: Amounts, b: Amounts): Amounts => Object.fromEntries(KEYS.map((k) => [k, round(a[k] - b[k])])) as Amounts;
const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Every pool that has a registered node, by name, with totals summed from `listNodes` (the same used
 * capacity the scheduler plans with). A pool is a node attribute (`TY_NODE_POOL`), so a pool exists
 * while a node names it.
 */
export async function listPools(db: Kysely<Database>): Promise<PoolView[]> {
  return poolsOf(await listNodes(db));
}

/** The pure half of {@link listPools}: nodes grouped by pool. */
export function poolsOf(nodes: readonly NodeView[]): PoolView[] {
  const pools = new Map<string, PoolView>();
  for (const n of nodes) {
    const p = pools.get(n.pool) ?? { name: n.pool, nodes: [], capacity: ZERO, used: ZERO, free: ZERO, supernodes: {} };
    p.nodes.push(n.id);
    p.capacity = plus(p.capacity, n.capacity);
    p.used = plus(p.used, n.used);
    const sn = SUPERNODE_LABELS.map((l) => n.labels[l]).find((v) => v !== undefined);
    if (sn !== undefined) p.supernodes[sn] = [...(p.supernodes[sn] ?? []), n.id];
    pools.set(n.pool, p);
  }
  return [...pools.values()]
    .map((p) => ({ ...p, nodes: [...p.nodes].sort(), free: minus(p.capacity, p.used) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
