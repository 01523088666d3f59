import { bootCommand } from '../boot-command';
import { bootProgram } from './boot-file';
import { type LaunchContext, type LaunchPlan, processesPerNode, taskHosts } from './launch-plan';
import { launcherFor } from './launch-method';
import { mpiLaunch } from './mpi-launcher';
import { msrunLaunch, msrunRankTableEnabled } from './msrun-launcher';
import { pytorchGpuLaunch } from './pytorch-gpu-launcher';
import { rankTable, rankTablePath } from './rank-table';
import { ranktableLaunch } from './ranktable-launcher';
import { renderArgv } from './shell-words';
import { tensorflowPsLaunch } from './tensorflow-ps-launcher';
import { torchrunLaunch } from './torchrun-launcher';

/**
 * How a task starts (pure): the launcher `launcherFor` picks, and the rank table whenever the task
 * needs one — the rank-table method, msrun with `MS_RANKTABLE_ENABLE="True"`, or any NPU flavor,
 * for which the guide's platform always generates it (L1007-1013). Throws `BootCommandError` when
 * the algorithm cannot be started (no command, no boot file, a bad argument name).
 *
 * @example
 * planLaunch({ assignment, host: '10.0.0.5', paths, env }).command
 */
export function planLaunch(ctx: LaunchContext): LaunchPlan {
  const launcher = launcherFor(ctx.assignment.algorithm);
  const plan = launch(launcher, ctx);
  const npu = (ctx.assignment.flavor.npu ?? 0) > 0;
  if (!(launcher === 'ranktable' || npu || (launcher === 'msrun' && msrunRankTableEnabled(ctx.env)))) return plan;
  const path = rankTablePath(ctx.paths);
  const table = rankTable(ctx.assignment, taskHosts(ctx), processesPerNode(ctx.assignment));
  return {
    ...plan,
    env: { RANK_TABLE_FILE: path, ...plan.env },
    files: [...plan.files, { path, content: `${JSON.stringify(table, null, 2)}\n` }],
  };
}

function launch(launcher: ReturnType<typeof launcherFor>, ctx: LaunchContext): LaunchPlan {
  switch (launcher) {
    case 'command':
      return { launcher, command: bootCommand(ctx.assignment.algorithm), env: {}, files: [], processes: [] };
    case 'boot-file': {
      const argv = bootProgram(ctx);
      return { launcher, command: renderArgv(argv), env: {}, files: [], processes: [{ argv, env: {} }] };
    }
    case 'torchrun':
      return torchrunLaunch(ctx);
    case 'msrun':
      return msrunLaunch(ctx);
    case 'ranktable':
      return ranktableLaunch(ctx);
    case 'pytorch-gpu':
      return pytorchGpuLaunch(ctx);
    case 'tensorflow-ps':
      return tensorflowPsLaunch(ctx);
    case 'mpi':
      return mpiLaunch(ctx);
    default: {
      const _exhaustive: never = launcher;
      return _exhaustive;
    }
  }
}
