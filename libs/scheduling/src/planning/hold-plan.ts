import type { PoolIndex } from '../index/pool-index';
import type { Demand } from '../queue/job-request';
import type { ReservationKind } from '../plan';

/** Where a job would go once capacity frees, and what backfill may still use there. */
export interface HoldPlan {
  /** Slot → instances of the holder there. */
  nodes: Map<number, number>;
  /** Slot → capacity left once the holder is there; null for whole-node holds. */
  spare: Map<number, Demand> | null;
  /** Epoch ms; NaN = unknown. */
  startsAt: number;
}

/** Reads a hold plan off a successful what-if placement (before it is rolled back). */
export function captureHold(pool: PoolIndex, slots: readonly number[], whole: boolean, startsAt: number): HoldPlan {
  const nodes = new Map<number, number>();
  for (const s of slots) nodes.set(s, (nodes.get(s) ?? 0) + 1);
  let spare: Map<number, Demand> | null = null;
  if (!whole) {
    spare = new Map();
    for (const s of nodes.keys()) spare.set(s, { cpu: pool.freeCpu[s], memoryMiB: pool.freeMem[s], gpu: pool.freeGpu[s], npu: pool.freeNpu[s] });
  }
  return { nodes, spare, startsAt };
}

/** Puts the hold on the pool: from now on later jobs see it. */
export function applyHold(pool: PoolIndex, jobId: string, plan: HoldPlan, _kind: ReservationKind): void {
  const h = pool.addHold(jobId, plan.startsAt, plan.spare === null);
  for (const s of plan.nodes.keys()) pool.hold(h, s, plan.spare?.get(s) ?? null);
}
