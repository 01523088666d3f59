import { bootProgram } from './boot-file';
import { type LaunchContext, type LaunchPlan, type LaunchProcess, processesPerNode, taskHosts } from './launch-plan';
import { launchFailureFile, processScript } from './multi-process';

/**
 * Rank table (RTF), the Ascend default (ch01-03 §3.1, L320-375): the boot file runs once per card
 * (L331-334) — `processesPerNode` copies on each instance — with `RANK_TABLE_FILE` (the file
 * `planLaunch` writes) and `RANK_SIZE` = all devices (L338-344), and per copy `ASCEND_DEVICE_ID` =
 * the local card 0…N-1, `DEVICE_ID` = the same (read by the guide's sample, L367) and `RANK_ID` = the
 * job-wide ordinal `VC_TASK_INDEX × N + local` (L341).
 */
export function ranktableLaunch(ctx: LaunchContext): LaunchPlan {
  const a = ctx.assignment;
  const perNode = processesPerNode(a);
  const argv = bootProgram(ctx);
  const processes: LaunchProcess[] = Array.from({ length: perNode }, (_, local) => ({
    argv,
    env: { ASCEND_DEVICE_ID: String(local), DEVICE_ID: String(local), RANK_ID: String(a.index * perNode + local) },
  }));
  return {
    launcher: 'ranktable',
    command: processScript(processes, launchFailureFile(ctx.paths)),
    env: { RANK_SIZE: String(taskHosts(ctx).length * perNode) },
    files: [],
    processes,
  };
}
