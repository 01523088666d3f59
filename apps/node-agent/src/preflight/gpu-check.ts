import type { PrecheckItemResult } from '@trainyard/contracts';
import { abnormal, failedToCheck, passed, type PrecheckItem } from './precheck-item';
import { firstLine, runTool } from './run-tool';

/** One GPU as `nvidia-smi --query-gpu` reports it. `ecc` is null when the card has no ECC ([N/A]). */
export interface GpuRow {
  index: string;
  busId: string;
  name: string;
  ecc: number | null;
  /** A field read as an error marker (`[GPU requires reset]`, `[Unknown Error]`, `ERR!`). */
  fault?: string;
}

export const NVIDIA_SMI_ARGS = ['--query-gpu=index,pci.bus_id,name,ecc.errors.uncorrected.volatile.total', '--format=csv,noheader,nounits'];

const FAULT_MARKERS = /\[GPU requires reset\]|\[Unknown Error\]|\[GPU is lost\]|ERR!/i;

/** Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output. */
export function parseNvidiaSmi(csv: string): GpuRow[] {
  return csv
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [index = '?', busId = '?', name = '?', ecc = ''] = line.split(',').map((f) => f.trim());
      const marker = line.match(FAULT_MARKERS)?.[0];
      const n = Number(ecc);
      return { index, busId, name, ecc: ecc === '' || !Number.isFinite(n) ? null : n, ...(marker ? { fault: marker } : {}) };
    });
}

/** Card count, health and uncorrectable ECC errors; every failure here is the hardware's. */
export function judgeGpus(rows: GpuRow[], expected: number, maxEcc: number): PrecheckItemResult {
  const problems: string[] = [];
  if (rows.length < expected) problems.push(`${rows.length} of ${expected} expected GPU(s) visible`);
  for (const r of rows) {
    if (r.fault) problems.push(`GPU ${r.index} (${r.busId}): ${r.fault}`);
    else if (r.ecc !== null && r.ecc > maxEcc) problems.push(`GPU ${r.index} (${r.busId}): ${r.ecc} uncorrectable ECC error(s)`);
  }
  if (problems.length) return abnormal('gpu-check', problems.join('; '), true);
  return passed('gpu-check', `${rows.length} GPU(s) healthy (${[...new Set(rows.map((r) => r.name))].join(', ')}), no uncorrectable ECC errors`);
}

/**
 * `gpu-check` (L7644-7651, "检测到gpu"), through `nvidia-smi`: for tasks that use GPUs. The node must
 * show at least the cards it declared, none faulted, none with uncorrectable ECC errors. A missing or
 * failing `nvidia-smi` is a driver fault: hardware too.
 */
export const gpuCheck: PrecheckItem = {
  keyword: 'gpu-check',
  applies: (ctx) => (ctx.assignment.flavor.gpu ?? 0) > 0,
  async run(ctx) {
    const expected = Math.max(ctx.capacity.gpu, ctx.assignment.flavor.gpu ?? 0);
    const r = await runTool('nvidia-smi', NVIDIA_SMI_ARGS, ctx.settings.toolPath, ctx.settings.itemTimeoutMs);
    if (r.kind === 'missing') return failedToCheck('gpu-check', 'nvidia-smi not found: no GPU driver on this node', true);
    if (r.kind === 'timeout') return failedToCheck('gpu-check', `nvidia-smi did not answer within ${r.ms} ms`, true);
    if (r.code !== 0) return abnormal('gpu-check', `nvidia-smi exited ${r.code}: ${firstLine(r.stderr, r.stdout)}`, true);
    return judgeGpus(parseNvidiaSmi(r.stdout), expected, ctx.settings.maxUncorrectableEcc);
  },
};
