import { readdir, readFile } from 'node:fs/promises';
import type { PrecheckItemResult } from '@trainyard/contracts';
import { abnormal, failedToCheck, passed, type PrecheckItem } from './precheck-item';
import type { PreflightSettings } from './preflight-settings';

/** Soft limits in `ulimit` units (KiB for `-l` and `-s`); `Infinity` for unlimited. */
export interface SoftLimits {
  lockedMemoryKiB: number;
  openFiles: number;
  stackKiB: number;
  userProcesses: number;
}

/** Reads the soft limits out of `/proc/<pid>/limits` text (bytes there for memory and stack). */
export function parseProcLimits(text: string): SoftLimits {
  const soft = (label: string, divisor = 1): number => {
    const line = text.split('\n').find((l) => l.startsWith(label));
    if (!line) throw new Error(`no "${label}" line`);
    const value = line.slice(label.length).trim().split(/\s+/)[0];
    return value === 'unlimited' ? Infinity : Math.floor(Number(value) / divisor);
  };
  return {
    lockedMemoryKiB: soft('Max locked memory', 1024),
    openFiles: soft('Max open files'),
    stackKiB: soft('Max stack size', 1024),
    userProcesses: soft('Max processes'),
  };
}

const LABELS: Record<keyof SoftLimits, string> = {
  lockedMemoryKiB: 'max locked memory (ulimit -l)',
  openFiles: 'open files (ulimit -n)',
  stackKiB: 'stack size (ulimit -s)',
  userProcesses: 'max user processes (ulimit -u)',
};

/** Every limit must be strictly greater than its threshold (L7637-7642). */
export function judgeLimits(limits: SoftLimits, min: PreflightSettings['ulimit']): PrecheckItemResult {
  const show = (n: number) => (n === Infinity ? 'unlimited' : String(n));
  const low = (Object.keys(LABELS) as (keyof SoftLimits)[]).filter((k) => !(limits[k] > min[k]));
  if (low.length) return abnormal('ulimit', low.map((k) => `${LABELS[k]} is ${show(limits[k])}, needs > ${min[k]}`).join('; '));
  return passed('ulimit', (Object.keys(LABELS) as (keyof SoftLimits)[]).map((k) => `${k}=${show(limits[k])}`).join(' '));
}

/** Whether the host has an InfiniBand device (used when the node does not say). */
export async function hasInfiniband(): Promise<boolean> {
  return (await readdir('/sys/class/infiniband').catch(() => [])).length > 0;
}

/**
 * `ulimit`: on nodes that use InfiniBand only (使用IB网络时). Tasks inherit the agent's limits (the
 * process runtime; the container engine's for containers), so the agent's own are checked.
 */
export const ulimitCheck: PrecheckItem = {
  keyword: 'ulimit',
  applies: (ctx) => ctx.settings.infiniband === true,
  async run(ctx) {
    try {
      return judgeLimits(parseProcLimits(await readFile('/proc/self/limits', 'utf8')), ctx.settings.ulimit);
    } catch (err) {
      return failedToCheck('ulimit', `cannot read the limits: ${(err as Error).message}`);
    }
  },
};
