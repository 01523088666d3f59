import type { Capacity, PrecheckItemResult, TaskAssignment } from '@trainyard/contracts';
import type { PreflightSettings } from './preflight-settings';

/** Everything an item may look at: the attempt, the node, where its files live, the settings. */
export interface PreflightContext {
  assignment: TaskAssignment;
  /** What the node declared (`TY_NODE_GPU`…): the card counts the accelerator checks expect. */
  capacity: Capacity;
  /** Filesystem that holds the task homes (the "container root" of a task). */
  rootDir: string;
  /** Host directory mounted at `/cache` in containers. */
  cacheDir: string;
  settings: PreflightSettings;
}

/**
 * One pre-check item (ch12-13 §2.5): a log keyword, when it applies, and the check. `run` never
 * throws: a check that cannot be made is an `error` result (W03), a failed one `abnormal` (W02).
 */
export interface PrecheckItem {
  /** The guide's log keyword, e.g. `disk-size shm`. */
  readonly keyword: string;
  applies(ctx: PreflightContext): boolean;
  run(ctx: PreflightContext): Promise<PrecheckItemResult>;
}

export const passed = (item: string, detail: string): PrecheckItemResult => ({ item, outcome: 'passed', detail, hardware: false });
export const abnormal = (item: string, detail: string, hardware = false): PrecheckItemResult => ({ item, outcome: 'abnormal', detail, hardware });
export const failedToCheck = (item: string, detail: string, hardware = false): PrecheckItemResult => ({ item, outcome: 'error', detail, hardware });
