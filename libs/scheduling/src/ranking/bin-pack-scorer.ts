import type { NodeScorer } from './node-scorer';

/**
 * Best fit: prefer the node left fullest after the instance, so large holes stay open for large
 * jobs. Accelerators weigh most, then cores, then memory; the result is in [0, 1].
 */
export const binPackScorer: NodeScorer = {
  name: 'bin-pack',
  stage: 'dynamic',
  score: (pool, i, { demand: d }) => {
    const accelCap = pool.capGpu[i] + pool.capNpu[i];
    const accelLeft = accelCap > 0 ? (pool.freeGpu[i] + pool.freeNpu[i] - d.gpu - d.npu) / accelCap : 0;
    const cpuLeft = pool.capCpu[i] > 0 ? (pool.freeCpu[i] - d.cpu) / pool.capCpu[i] : 0;
    const memLeft = pool.capMem[i] > 0 ? (pool.freeMem[i] - d.memoryMiB) / pool.capMem[i] : 0;
    return 1 - (0.6 * accelLeft + 0.25 * cpuLeft + 0.15 * memLeft);
  },
};
