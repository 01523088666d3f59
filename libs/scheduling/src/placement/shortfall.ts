import type { Resource } from '../capacity';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import type { PoolIndex } from '../index/pool-index';
import type { ResourceAmounts } from '../plan';
import type { Demand, JobRequest } from '../queue/job-request';

/** Per-resource positive shortfall of `need` against `have`, cpu in cores. */
export function shortfall(need: Demand, have: Demand): ResourceAmounts {
  const out: ResourceAmounts = {};
  const put = (r: Resource, n: number, h: number, unit = 1) => {
    if (n > h) out[r] = (n - h) / unit;
  };
  put('cpu', need.cpu, have.cpu, 1000);
  put('memoryMiB', need.memoryMiB, have.memoryMiB);
  put('gpu', need.gpu, have.gpu);
  put('npu', need.npu, have.npu);
  return out;
}

/** Nodes of the top accelerator level compared for "roomiest" (bounded: this runs per waiting job). */
const ROOMIEST_SCAN = 32;

/**
 * Shortfall of one instance on the roomiest eligible node: the most free accelerators, then the
 * most free cores (and memory) among the first few nodes of that level.
 */
export function instanceDeficit(pool: PoolIndex, job: JobRequest, sf: StaticFeasibility): ResourceAmounts {
  const mw = sf.mask?.words;
  for (let level = pool.maxLevel; level >= 0; level--) {
    if (pool.levelCount[level] === 0) continue;
    const lw = pool.levels[level].words;
    let best = -1;
    let seen = 0;
    for (let w = 0; w < lw.length && seen < ROOMIEST_SCAN; w++) {
      let x = mw ? lw[w] & mw[w] : lw[w];
      while (x !== 0 && seen < ROOMIEST_SCAN) {
        const i = (w << 5) | (31 - Math.clz32(x & -x));
        x &= x - 1;
        seen++;
        if (best < 0 || pool.freeCpu[i] > pool.freeCpu[best] || (pool.freeCpu[i] === pool.freeCpu[best] && pool.freeMem[i] > pool.freeMem[best])) best = i;
      }
    }
    if (best >= 0) return shortfall(job.demand, { cpu: pool.freeCpu[best], memoryMiB: pool.freeMem[best], gpu: pool.freeGpu[best], npu: pool.freeNpu[best] });
  }
  return shortfall(job.demand, { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 });
}
