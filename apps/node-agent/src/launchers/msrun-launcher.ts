import { userArguments } from '../boot-command';
import { bootFilePath } from './boot-file';
import { type LaunchContext, type LaunchPlan, processesPerNode, taskHosts } from './launch-plan';
import { platformPort } from './platform-port';
import { rankTablePath } from './rank-table';
import { renderArgv } from './shell-words';

/** `--cluster_time_out` when `MSRUN_CLUSTER_TIME_OUT` is unset, in seconds (L469-470). */
export const DEFAULT_MSRUN_CLUSTER_TIME_OUT = '600';

/** msrun uses rank-table networking only when this is exactly `"True"` (L437-439, L472-474). */
export const msrunRankTableEnabled = (env: Readonly<Record<string, string>>) => env.MS_RANKTABLE_ENABLE === 'True';

/**
 * msrun (ch01-03 §3.3, L432-476), one per instance (L441-445):
 *   `msrun --worker_num=<H×N> --local_worker_num=N --master_addr=<worker-0> --node_rank=${VC_TASK_INDEX}
 *    --master_port=<port> --log_dir=${MA_LOG_DIR} --join=True --cluster_time_out=${MSRUN_CLUSTER_TIME_OUT:-600}
 *    [--rank_table_file=<rank table>] <boot file> <args>`
 * The guide leaves `msrun_*` values to the platform: master = worker-0's address, port from
 * `platformPort`, logs in `MA_LOG_DIR` (whose `*.log` files are the job's logs, L6376-6381).
 * `--rank_table_file` only with `MS_RANKTABLE_ENABLE="True"` (the template always shows it; the table
 * says when it is added, L472-474); `planLaunch` then writes the rank table.
 */
export function msrunLaunch(ctx: LaunchContext): LaunchPlan {
  const a = ctx.assignment;
  const hosts = taskHosts(ctx);
  const perNode = processesPerNode(a);
  const timeout = ctx.env.MSRUN_CLUSTER_TIME_OUT || DEFAULT_MSRUN_CLUSTER_TIME_OUT;
  const argv = [
    'msrun',
    `--worker_num=${hosts.length * perNode}`,
    `--local_worker_num=${perNode}`,
    `--master_addr=${hosts[0]}`,
    `--node_rank=${a.index}`,
    `--master_port=${platformPort(a.jobId, a.attempt, 'msrun')}`,
    `--log_dir=${ctx.paths.logDir}`,
    '--join=True',
    `--cluster_time_out=${timeout}`,
    ...(msrunRankTableEnabled(ctx.env) ? [`--rank_table_file=${rankTablePath(ctx.paths)}`] : []),
    bootFilePath(a.algorithm, ctx.paths),
    ...userArguments(a.algorithm),
  ];
  return {
    launcher: 'msrun',
    command: renderArgv(argv),
    env: { MA_RUN_METHOD: 'msrun', MSRUN_CLUSTER_TIME_OUT: timeout },
    files: [],
    processes: [{ argv, env: {} }],
  };
}
