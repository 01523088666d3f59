import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { DeviceInventory } from '@trainyard/contracts';
import { NVIDIA_SMI_ARGS, parseNvidiaSmi } from './preflight/gpu-check';
import { parseNpuSmiInfo } from './preflight/npu-check';

/**
 * The node's accelerator cards by id (issue 14), settled once at start, in this order per kind:
 * 1. ids configured (`TY_NODE_GPU_IDS` / `TY_NODE_NPU_IDS`, e.g. `0,1,2,3` or GPU UUIDs);
 * 2. a count configured (`TY_NODE_GPU` / `TY_NODE_NPU`, or the options' capacity): ids `0…n-1`;
 * 3. nothing configured: what `nvidia-smi` / `npu-smi info` list on the pre-check's tool path, or none.
 * The count the scheduler places by is the number of ids, so the two cannot disagree.
 */
export interface InventorySources {
  /** Configured ids per kind, already split. */
  ids: DeviceInventory;
  /** Configured counts per kind (undefined: not configured). */
  counts: { gpu?: number; npu?: number };
  /** Where `nvidia-smi` / `npu-smi` are looked for. */
  toolPath: string;
}

export class DeviceInventoryError extends Error {
  override readonly name = 'DeviceInventoryError';
}

/** Pure: the inventory from configured ids and counts, with `probe` answering for a kind neither configures. */
export function settleInventory(src: InventorySources, probe: (kind: 'gpu' | 'npu') => string[]): DeviceInventory {
  const out: DeviceInventory = {};
  for (const kind of ['gpu', 'npu'] as const) {
    const ids = src.ids[kind];
    const count = src.counts[kind];
    let chosen: string[];
    if (ids !== undefined) {
      if (new Set(ids).size !== ids.length) throw new DeviceInventoryError(`TY_NODE_${kind.toUpperCase()}_IDS lists a card twice`);
      if (count !== undefined && count !== ids.length) {
        throw new DeviceInventoryError(`TY_NODE_${kind.toUpperCase()}_IDS lists ${ids.length} card(s) but TY_NODE_${kind.toUpperCase()} is ${count}`);
      }
      chosen = ids;
    } else if (count !== undefined) chosen = Array.from({ length: count }, (_, i) => String(i));
    else chosen = probe(kind);
    if (chosen.length) out[kind] = chosen;
  }
  return out;
}

/** Card ids as the vendor tool lists them, in its order; none when the tool is missing or fails. */
export function probeCards(kind: 'gpu' | 'npu', toolPath: string, timeoutMs = 10_000): string[] {
  const tool = kind === 'gpu' ? 'nvidia-smi' : 'npu-smi';
  const file = toolPath.split(delimiter).filter(Boolean).map((d) => join(d, tool)).find(executable);
  if (!file) return [];
  try {
    const out = execFileSync(file, kind === 'gpu' ? NVIDIA_SMI_ARGS : ['info'], { timeout: timeoutMs, env: { PATH: toolPath, LANG: 'C' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return kind === 'gpu' ? parseNvidiaSmi(out).map((r) => r.index) : parseNpuSmiInfo(out).map((r) => r.id);
  } catch {
    // A driver in trouble: the node declares no cards of this kind, and the pre-check says why.
    return [];
  }
}

/** `0, 1,2` → `['0', '1', '2']`; undefined for an unset variable. */
export function parseIds(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
