import type { Capacity, TaskAssignment } from '@trainyard/contracts';
import { precheckWanted, type PreflightSettings } from './preflight-settings';
import { preflightLogLines, runPreflight, type PreflightReport } from './run-preflight';

export interface TaskPrecheck {
  report: PreflightReport;
  /** For the task's log when it failed (searchable by `item`, L7656-7661); empty when it passed. */
  lines: { stream: 'stdout' | 'stderr'; text: string }[];
  /** One line for the exit report when it failed: the failed items and the fault class. */
  failure?: string;
}

/**
 * The pre-check of one attempt, before its script starts (REQ-PF-1), or undefined when it is off: on
 * this node (`TY_PREFLIGHT=off`) or for this job (`MA_SKIP_IMAGE_DETECT=0`, Table 14-22).
 */
export async function precheckTask(input: {
  assignment: TaskAssignment;
  capacity: Capacity;
  rootDir: string;
  cacheDir: string;
  settings: PreflightSettings;
}): Promise<TaskPrecheck | undefined> {
  if (!input.settings.enabled || !precheckWanted(input.assignment.algorithm.environments)) return undefined;
  const report = await runPreflight(input);
  const failed = report.items.filter((i) => i.outcome !== 'passed');
  const failure = failed.length
    ? `pre-check failed (${report.hardware ? 'hardware fault' : 'not a hardware fault'}): ${failed.map((i) => `item ${i.item}: ${i.detail}`).join('; ')}`
    : undefined;
  // A passed pre-check leaves the script's log to the script (its items are in W01); a failed one is
  // the whole log of the attempt, every item with its keyword.
  return { report, lines: failure ? preflightLogLines(report) : [], ...(failure ? { failure } : {}) };
}
