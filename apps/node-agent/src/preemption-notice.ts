import { rename, stat, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { TaskPaths } from './task-paths';

/**
 * The preemption notice and the checkpoint acknowledgement, as files under `MA_MOUNT_PATH` (issue 16),
 * so a container task sees them at the same path its variables name:
 *
 * - `MA_PREEMPTION_NOTICE_FILE` (`${MA_MOUNT_PATH}/preemption-notice`): absent while the task may run;
 *   written — one JSON object `{ "preemptedBy", "deadline", "graceSeconds", "reason" }` — just before
 *   the SIGTERM of a preemption. A script that cannot trap signals polls for it.
 * - `MA_CHECKPOINT_ACK_FILE` (`${MA_MOUNT_PATH}/checkpoint-ack`): the task writes it (any content, e.g.
 *   the step) whenever a checkpoint is complete. Each new write is reported (`TaskCheckpointed`), which
 *   makes the job a preferred victim (least work lost); during a notice it means "stop me now", and the
 *   agent ends the task at once instead of at the deadline.
 *
 * @example
 * ```sh
 * save_checkpoint && date +%s > "$MA_CHECKPOINT_ACK_FILE"
 * [ -f "$MA_PREEMPTION_NOTICE_FILE" ] && { save_checkpoint; echo done > "$MA_CHECKPOINT_ACK_FILE"; }
 * ```
 */
export const PREEMPTION_NOTICE_FILE = 'preemption-notice';
export const CHECKPOINT_ACK_FILE = 'checkpoint-ack';

export const noticePath = (mountPath: string) => posix.join(mountPath, PREEMPTION_NOTICE_FILE);
export const ackPath = (mountPath: string) => posix.join(mountPath, CHECKPOINT_ACK_FILE);

export interface PreemptionNotice {
  preemptedBy: string;
  deadline: string;
  graceSeconds: number;
  reason: string;
}

/** Written whole (a temporary file renamed into place), so a poller never reads half a notice. */
export async function writeNotice(paths: TaskPaths, notice: PreemptionNotice): Promise<void> {
  const path = noticePath(paths.mountPath);
  await writeFile(`${path}.tmp`, `${JSON.stringify(notice)}\n`, { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}

/** When the task last wrote its acknowledgement (ms), or undefined when it never did. */
export async function ackStamp(paths: TaskPaths): Promise<number | undefined> {
  try {
    return (await stat(ackPath(paths.mountPath))).mtimeMs;
  } catch {
    return undefined;
  }
}
