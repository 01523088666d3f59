import { bootProgram } from './boot-file';
import { type LaunchContext, type LaunchPlan, taskHosts } from './launch-plan';
import { platformPort } from './platform-port';
import { renderArgv } from './shell-words';

/**
 * PyTorch-GPU preset (ch01-03 §4, L478-488): the boot file runs once per instance and the platform
 * appends `--init_method "tcp://<ip>:<port>"` (L480), plus `--rank <rank_id> --world_size <node_num>`
 * with several instances (L482-483): rank = the instance index, world size = the instance count
 * (the script spawns one process per local card itself, L6239-6254). `<ip>` is worker-0's address;
 * the port, which the guide leaves open, comes from `platformPort`.
 */
export function pytorchGpuLaunch(ctx: LaunchContext): LaunchPlan {
  const a = ctx.assignment;
  const hosts = taskHosts(ctx);
  const platformArgs = ['--init_method', `tcp://${hosts[0]}:${platformPort(a.jobId, a.attempt, 'pytorch-gpu')}`];
  if (hosts.length > 1) platformArgs.push('--rank', String(a.index), '--world_size', String(hosts.length));
  const argv = bootProgram(ctx, platformArgs);
  return { launcher: 'pytorch-gpu', command: renderArgv(argv), env: {}, files: [], processes: [{ argv, env: {} }] };
}
