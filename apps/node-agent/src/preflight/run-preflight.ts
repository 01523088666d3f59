import type { PrecheckItemResult } from '@trainyard/contracts';
import { cacheDiskCheck, rootDiskCheck, shmDiskCheck } from './disk-check';
import { dnsCheck } from './dns-check';
import { gpuCheck } from './gpu-check';
import { npuCheck } from './npu-check';
import { failedToCheck, type PrecheckItem, type PreflightContext } from './precheck-item';
import { hasInfiniband, ulimitCheck } from './ulimit-check';

/** The guide's items in its table's order (L7599-7653), then ours. */
export const PRECHECK_ITEMS: readonly PrecheckItem[] = [dnsCheck, rootDiskCheck, shmDiskCheck, cacheDiskCheck, ulimitCheck, gpuCheck, npuCheck];

/** What one pre-check found. */
export interface PreflightReport {
  /** Wall time of the whole pre-check, one decimal (`[耗时： 秒]`). */
  elapsedSeconds: number;
  /** Results of the items that applied, in table order. */
  items: PrecheckItemResult[];
  passed: boolean;
  /** Some failed item blames the node's hardware: the node is to be isolated (scenario 1, L7539). */
  hardware: boolean;
}

/**
 * Runs the items that apply to this attempt, at once, each bounded by `itemTimeoutMs`. Never throws: a
 * check that breaks is an `error` result.
 */
export async function runPreflight(ctx: PreflightContext, items: readonly PrecheckItem[] = PRECHECK_ITEMS, clock: () => number = performance.now.bind(performance)): Promise<PreflightReport> {
  const start = clock();
  const settings = ctx.settings.infiniband === undefined ? { ...ctx.settings, infiniband: await hasInfiniband() } : ctx.settings;
  const c = { ...ctx, settings };
  const results = await Promise.all(items.filter((i) => i.applies(c)).map((i) => bounded(i, c)));
  const failed = results.filter((r) => r.outcome !== 'passed');
  return {
    elapsedSeconds: Math.round((clock() - start) / 100) / 10,
    items: results,
    passed: failed.length === 0,
    hardware: failed.some((r) => r.hardware),
  };
}

async function bounded(item: PrecheckItem, ctx: PreflightContext): Promise<PrecheckItemResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<PrecheckItemResult>((resolve) => {
    timer = setTimeout(() => resolve(failedToCheck(item.keyword, `no answer within ${ctx.settings.itemTimeoutMs} ms`)), ctx.settings.itemTimeoutMs);
  });
  try {
    return await Promise.race([item.run(ctx).catch((err: Error) => failedToCheck(item.keyword, err.message)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The task-log lines of a pre-check, searchable by `item` as the guide says (L7656-7661), e.g.
 * `[pre-check] item disk-size shm failed, abnormal: /dev/shm has 0.5 GiB free, needs > 1.0 GiB`.
 */
export function preflightLogLines(report: PreflightReport): { stream: 'stdout' | 'stderr'; text: string }[] {
  const lines = report.items.map((r) =>
    r.outcome === 'passed'
      ? { stream: 'stdout' as const, text: `[pre-check] item ${r.item} passed: ${r.detail}` }
      : { stream: 'stderr' as const, text: `[pre-check] item ${r.item} failed, ${r.outcome}: ${r.detail}${r.hardware ? ' (hardware fault)' : ''}` },
  );
  const summary = report.passed
    ? { stream: 'stdout' as const, text: `[pre-check] [elapsed: ${report.elapsedSeconds} s] pre-check completed` }
    : { stream: 'stderr' as const, text: `[pre-check] [elapsed: ${report.elapsedSeconds} s] pre-check failed${report.hardware ? ' (hardware fault)' : ''}` };
  return [...lines, summary];
}
