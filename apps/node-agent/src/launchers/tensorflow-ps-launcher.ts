import { bootProgram } from './boot-file';
import { type LaunchContext, type LaunchPlan, type LaunchProcess, taskHosts } from './launch-plan';
import { launchFailureFile, processScript } from './multi-process';
import { platformPort } from './platform-port';

/**
 * TensorFlow-GPU ps/worker (ch01-03 §5, L490-523). One instance: the boot file runs once, alone,
 * as `worker` (L492-493; the guide injects nothing there). Several: each instance runs one ps and one
 * worker (1:1 on the same node, L495-498), both given
 *   `--task_index <VC_TASK_INDEX> --ps_hosts <TF_PS_HOSTS> --worker_hosts <TF_WORKER_HOSTS> --job_name <ps|worker>`
 * (L500-501) and the same values as `TF_PS_HOSTS`, `TF_WORKER_HOSTS` and `MA_TASK_NAME`. Host lists are
 * `host:port` joined by commas (the brackets of the guide's example denote the list, L510-519); ports
 * are "random in 5000–10000", i.e. `platformPort`, two per instance so no two collide on a host. The
 * task ends when its worker does: a ps serves until it is stopped (a companion process).
 */
export function tensorflowPsLaunch(ctx: LaunchContext): LaunchPlan {
  const a = ctx.assignment;
  const hosts = taskHosts(ctx);
  const failureFile = launchFailureFile(ctx.paths);
  if (hosts.length === 1) {
    const processes = [{ argv: bootProgram(ctx), env: {} }];
    return { launcher: 'tensorflow-ps', command: processScript(processes, failureFile), env: { MA_TASK_NAME: 'worker' }, files: [], processes };
  }
  const port = (i: number, role: number) => platformPort(a.jobId, a.attempt, 'tensorflow-ps', 2 * i + role);
  const psHosts = hosts.map((h, i) => `${h}:${port(i, 0)}`).join(',');
  const workerHosts = hosts.map((h, i) => `${h}:${port(i, 1)}`).join(',');
  const role = (jobName: 'ps' | 'worker'): LaunchProcess => ({
    argv: bootProgram(ctx, ['--task_index', String(a.index), '--ps_hosts', psHosts, '--worker_hosts', workerHosts, '--job_name', jobName]),
    env: { MA_TASK_NAME: jobName },
    ...(jobName === 'ps' ? { companion: true } : {}),
  });
  const processes = [role('ps'), role('worker')];
  return {
    launcher: 'tensorflow-ps',
    command: processScript(processes, failureFile),
    env: { TF_PS_HOSTS: psHosts, TF_WORKER_HOSTS: workerHosts },
    files: [],
    processes,
  };
}
