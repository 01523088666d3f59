import type { Capacity, Flavor } from '@trainyard/contracts';

/** Resource arithmetic over the four schedulable dimensions. */
export const ZERO: Capacity = { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };

export const RESOURCES = ['cpu', 'memoryMiB', 'gpu', 'npu'] as const;
export type Resource = (typeof RESOURCES)[number];

export function demandOf(flavor: Flavor): Capacity {
  return { cpu: flavor.cpu, memoryMiB: flavor.memoryMiB, gpu: flavor.gpu ?? 0, npu: flavor.npu ?? 0 };
}

export function add(a: Capacity, b: Capacity): Capacity {
  return { cpu: round(a.cpu + b.cpu), memoryMiB: a.memoryMiB + b.memoryMiB, gpu: a.gpu + b.gpu, npu: a.npu + b.npu };
}

export function subtract(a: Capacity, b: Capacity): Capacity {
  return { cpu: round(a.cpu - b.cpu), memoryMiB: a.memoryMiB - b.memoryMiB, gpu: a.gpu - b.gpu, npu: a.npu - b.npu };
}

export function scale(a: Capacity, n: number): Capacity {
  return { cpu: round(a.cpu * n), memoryMiB: a.memoryMiB * n, gpu: a.gpu * n, npu: a.npu * n };
}

/** Every dimension of `demand` fits in `free`. */
export function fits(demand: Capacity, free: Capacity): boolean {
  return RESOURCES.every((r) => demand[r] <= free[r]);
}

/** Per-resource shortfall (positive numbers only), for "why is my job waiting". */
export function deficit(demand: Capacity, free: Capacity): Partial<Record<Resource, number>> {
  const out: Partial<Record<Resource, number>> = {};
  for (const r of RESOURCES) if (demand[r] > free[r]) out[r] = round(demand[r] - free[r]);
  return out;
}

// Fractional vCPUs accumulate float error; a millicore is the finest unit we schedule.
const round = (x: number) => Math.round(x * 1000) / 1000;
