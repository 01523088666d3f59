import type { TaskAssignment } from '@trainyard/contracts';
import type { TaskPaths } from '../task-paths';

/**
 * What a launcher knows: the assignment, this node, and the task's complete environment (inherited
 * variables, presets and the user's `environments`), from which it reads the guide's knobs
 * (`MA_TORCHRUN_MASTER_PORT`, `MA_EXTRA_TORCHRUN_PARAMS`, `MS_RANKTABLE_ENABLE`, `MY_MPI_SLOTS`…).
 */
export interface LaunchContext {
  assignment: TaskAssignment;
  /** This node's advertised address (`MA_CURRENT_IP`). */
  host: string;
  paths: TaskPaths;
  env: Readonly<Record<string, string>>;
}

/** A file the launch needs before it starts (rank table, MPI hostfile…), written atomically. */
export interface LaunchFile {
  /** Absolute, under the task's home. */
  path: string;
  content: string;
}

/** One process the command starts, as argv plus the variables only it gets. */
export interface LaunchProcess {
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  /**
   * A helper whose end does not end the task (a TensorFlow ps serves until the worker is done); its
   * failure still fails the task.
   */
  companion?: boolean;
}

/**
 * How one task starts: the runtime runs `command` with `/bin/sh -c` in the task environment plus
 * `env`, after `files` are written. `processes` names what the command starts, so tests and logs can
 * read the argv without parsing shell text. Pure data: `planLaunch` builds it without I/O.
 *
 * @example
 * planLaunch(ctx).command
 * // "torchrun --standalone --nnodes=1 --nproc_per_node=8 /w/…/user-job-dir/code/train.py --lr=0.1"
 */
export interface LaunchPlan {
  /** The launcher that built it. */
  launcher: LauncherName;
  command: string;
  env: Readonly<Record<string, string>>;
  files: readonly LaunchFile[];
  processes: readonly LaunchProcess[];
}

/**
 * The launch methods of the guide, plus the two ways `custom` runs: the user's `command`, or a preset
 * framework's boot file run once (`<interpreter> <boot file> <args>`).
 */
export type LauncherName = 'command' | 'boot-file' | 'torchrun' | 'msrun' | 'ranktable' | 'pytorch-gpu' | 'tensorflow-ps' | 'mpi';

/** Hosts of every task by index; a single-task assignment without hosts runs on this node alone. */
export function taskHosts(ctx: Pick<LaunchContext, 'assignment' | 'host'>): string[] {
  return ctx.assignment.hosts.length > 0 ? ctx.assignment.hosts : [ctx.host];
}

/**
 * Processes per instance: `algorithm.processesPerNode`, else the flavor's cards (`MA_NUM_GPUS`, the
 * guide's `--nproc_per_node`, L401-402), else 1 on a CPU-only flavor.
 */
export function processesPerNode(a: TaskAssignment): number {
  return a.algorithm.processesPerNode ?? (a.flavor.gpu || a.flavor.npu || 1);
}
