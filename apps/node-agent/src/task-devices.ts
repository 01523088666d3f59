import type { TaskAssignment } from '@trainyard/contracts';

/**
 * The cards of one task as its runtime hands them over (issue 14). The scheduler chose the ids from
 * the node's inventory (no card shared); here they become what the software in the task reads.
 */
export interface TaskDevices {
  kind: 'gpu' | 'npu';
  /** Host ids, as the node's inventory names them. */
  ids: string[];
}

/** The task's cards, or undefined when it was given none. */
export function taskDevices(a: TaskAssignment): TaskDevices | undefined {
  if (!a.devices?.length) return undefined;
  return { kind: (a.flavor.gpu ?? 0) > 0 ? 'gpu' : 'npu', ids: a.devices };
}

/**
 * The variables that confine a task to its cards. A host process sees every card of the machine, so
 * `CUDA_VISIBLE_DEVICES` / `ASCEND_VISIBLE_DEVICES` name its own by host id. In a container the
 * engine maps only its cards in (NVIDIA device request, Ascend device nodes), and the CUDA runtime
 * numbers them from 0 there, so `CUDA_VISIBLE_DEVICES` is not set; `NVIDIA_VISIBLE_DEVICES` and
 * `ASCEND_VISIBLE_DEVICES` carry the host ids, which the NVIDIA container toolkit and the Ascend
 * Docker runtime read to pick the cards. Applied after the user's `environments`: a job cannot
 * widen its share by setting them.
 *
 * @example
 * deviceEnvironment({ kind: 'gpu', ids: ['4', '5'] }, 'process') // { CUDA_VISIBLE_DEVICES: '4,5' }
 */
export function deviceEnvironment(devices: TaskDevices | undefined, runtime: 'process' | 'container'): Record<string, string> {
  if (!devices) return {};
  const list = devices.ids.join(',');
  if (devices.kind === 'npu') return { ASCEND_VISIBLE_DEVICES: list };
  return runtime === 'process' ? { CUDA_VISIBLE_DEVICES: list } : { NVIDIA_VISIBLE_DEVICES: list };
}
