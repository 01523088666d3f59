import { DEFAULT_HANG_DETECT_MINUTES, type DataChannel, type TaskAssignment } from '@trainyard/contracts';
import { ackPath, noticePath } from './preemption-notice';
import { channelPath, type TaskPaths } from './task-paths';

/** What the environment needs to know about the node a task runs on. */
export interface TaskNode {
  /** Advertised address of this node (`MA_CURRENT_IP`). */
  host: string;
  paths: TaskPaths;
}

/**
 * NCCL variables whose guide defaults are fixed values (ch14 §12, Table 14-18). Those whose values
 * depend on the machine (`NCCL_VERSION`, `NCCL_IB_HCA`, `NCCL_SOCKET_IFNAME`) are left to it.
 */
export const NCCL_DEFAULTS: Readonly<Record<string, string>> = {
  NCCL_DEBUG: 'INFO', // L12293
  NCCL_IB_TIMEOUT: '18', // L12310-12316
  NCCL_IB_RETRY_CNT: '15', // L12318-12324
  NCCL_IB_GID_INDEX: '3', // L12326-12332
  NCCL_IB_TC: '128', // L12334
  NCCL_NET_PLUGIN: 'none', // L12354-12360
};

/** Role of every task of a custom (PyTorch/MindSpore-style) job (L12123-12139). */
export const TASK_ROLE = 'worker';

/** `MA_VJ_NAME`: the guide's example volcano-job name is `modelarts-job-<job id>` (L12174-12216, L12469-12493). */
export const vjName = (jobId: string) => `modelarts-job-${jobId}`;

/**
 * The preset environment of a task (ch14 §12), then the user's `algorithm.environments` (which may
 * override presets, L11967-11968), then inputs/outputs read as environment variables (`<name>=<path>`,
 * L1577-1592). Later entries win. Pure: the caller adds the inherited host variables (PATH…), and the
 * launcher adds its own (`MA_RUN_METHOD`, `RANK_TABLE_FILE`…, see `launchers/`).
 *
 * Left out here: the object-store variables of Table 14-19, which the staging adds for the store the
 * node uses (staging/task-staging.ts, `storeEnvironment`); the PIP-source and API-gateway variables
 * (Table 14-20: there is no mirror or gateway address the agent knows of), `MA_SCRIPT_INTERPRETER` and
 * `MA_SKIP_IMAGE_DETECT` (unset by default, L12087-12092, L12501-12515: set only by the user), and
 * machine-dependent NCCL values.
 *
 * @example
 * buildTaskEnvironment(assignment, { host: '10.0.0.5', paths: taskPaths(workDir, assignment) }).VC_WORKER_HOSTS
 * // '10.0.0.5,10.0.0.6'
 */
export function buildTaskEnvironment(a: TaskAssignment, node: TaskNode): Record<string, string> {
  const hosts = a.hosts.length > 0 ? a.hosts : [node.host];
  const vj = vjName(a.jobId);
  const presets: Record<string, string> = {
    // Table 14-16, paths
    MA_HOME: node.paths.home,
    MA_JOB_DIR: node.paths.jobDir,
    MA_MOUNT_PATH: node.paths.mountPath,
    MA_LOG_DIR: node.paths.logDir,
    // Ours (issue 16): the preemption notice to poll, and where to acknowledge a written checkpoint.
    MA_PREEMPTION_NOTICE_FILE: noticePath(node.paths.mountPath),
    MA_CHECKPOINT_ACK_FILE: ackPath(node.paths.mountPath),
    // Table 14-17, distributed training
    MA_CURRENT_IP: node.host,
    MA_NUM_GPUS: String(a.flavor.gpu || a.flavor.npu || 0),
    MA_TASK_NAME: TASK_ROLE,
    MA_NUM_HOSTS: String(hosts.length),
    VC_TASK_INDEX: String(a.index),
    VC_WORKER_NUM: String(hosts.length),
    // Addresses by index: peers resolve them directly, no cluster DNS needed.
    VC_WORKER_HOSTS: hosts.join(','),
    MA_VJ_NAME: vj,
    // Table 14-21, job metadata
    MA_CURRENT_INSTANCE_NAME: `${vj}-${TASK_ROLE}-${a.index}`,
    // Resumable-training counters (L8122-8140)
    MA_SCHEDULE_CNT: String(a.scheduleCount),
    MA_PROC_START_CNT: String(a.procStartCount),
    ...NCCL_DEFAULTS,
    JOB_ID: a.jobId, // L363
    // Table 14-23: the hang detector's window in minutes, preset by the platform (L7715, L12522-12534).
    MA_HANG_DETECT_TIME: String(DEFAULT_HANG_DETECT_MINUTES),
    // Ours (issue 9): Python writes every line at once, not 8 KiB at a time to a non-tty, so logs are
    // live (and the hang detector sees them) whatever the launcher. `PYTHONUNBUFFERED=""` turns it off.
    PYTHONUNBUFFERED: '1',
    // A preset framework's boot file imports from the code dir's parent (L2774-2790).
    ...(a.algorithm.bootFile !== undefined ? { PYTHONPATH: node.paths.jobDir } : {}),
  };
  const byEnv = (c: DataChannel) => c.accessMethod === 'env';
  const channels = [...(a.algorithm.inputs ?? []), ...(a.algorithm.outputs ?? [])].filter(byEnv);
  return {
    ...presets,
    ...a.algorithm.environments,
    ...Object.fromEntries(channels.map((c) => [c.name, channelPath(c)])),
  };
}
