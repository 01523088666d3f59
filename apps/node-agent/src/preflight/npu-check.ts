import type { PrecheckItemResult } from '@trainyard/contracts';
import { abnormal, failedToCheck, passed, type PrecheckItem } from './precheck-item';
import { firstLine, runTool } from './run-tool';

/** One NPU of the `npu-smi info` table. */
export interface NpuRow {
  id: string;
  name: string;
  health: string;
}

/**
 * Reads the NPUs of `npu-smi info`: each NPU has a first table row `| <id> <name> | <health> | …` (the
 * second row, `| <chip> | <bus id> | …`, has no name and is skipped).
 */
export function parseNpuSmiInfo(text: string): NpuRow[] {
  const rows: NpuRow[] = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^\|\s*(\d+)\s+(\S+)\s*\|\s*([A-Za-z]+)\s*\|/);
    if (m) rows.push({ id: m[1], name: m[2], health: m[3] });
  }
  return rows;
}

/** Card count and health; every failure here is the hardware's. */
export function judgeNpus(rows: NpuRow[], expected: number, healthy: string[]): PrecheckItemResult {
  const problems: string[] = [];
  if (rows.length < expected) problems.push(`${rows.length} of ${expected} expected NPU(s) visible`);
  for (const r of rows) if (!healthy.includes(r.health)) problems.push(`NPU ${r.id} (${r.name}): health ${r.health}`);
  if (problems.length) return abnormal('npu-check', problems.join('; '), true);
  return passed('npu-check', `${rows.length} NPU(s) healthy (${[...new Set(rows.map((r) => r.health))].join(', ')})`);
}

/**
 * `npu-check` (ours: the guide lists no NPU item, ch12-13 §2.5), through `npu-smi info`, for tasks that
 * use NPUs: the cards the node declared are there and healthy.
 */
export const npuCheck: PrecheckItem = {
  keyword: 'npu-check',
  applies: (ctx) => (ctx.assignment.flavor.npu ?? 0) > 0,
  async run(ctx) {
    const expected = Math.max(ctx.capacity.npu, ctx.assignment.flavor.npu ?? 0);
    const r = await runTool('npu-smi', ['info'], ctx.settings.toolPath, ctx.settings.itemTimeoutMs);
    if (r.kind === 'missing') return failedToCheck('npu-check', 'npu-smi not found: no NPU driver on this node', true);
    if (r.kind === 'timeout') return failedToCheck('npu-check', `npu-smi did not answer within ${r.ms} ms`, true);
    if (r.code !== 0) return abnormal('npu-check', `npu-smi exited ${r.code}: ${firstLine(r.stderr, r.stdout)}`, true);
    return judgeNpus(parseNpuSmiInfo(r.stdout), expected, ctx.settings.npuHealthyStates);
  },
};
