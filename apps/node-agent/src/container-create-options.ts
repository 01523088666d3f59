import type { ContainerCreateOptions } from 'dockerode';
import type { TaskDevices } from './task-devices';
import type { TaskIdentity, TaskSpec } from './task-runtime';

/** Labels that tie a container to its node, job, task and attempt; re-adoption finds it by them. */
export const LABEL = {
  node: 'io.trainyard.node',
  job: 'io.trainyard.job',
  task: 'io.trainyard.task',
  attempt: 'io.trainyard.attempt',
} as const;

export const identityLabels = (id: TaskIdentity): Record<string, string> => ({
  [LABEL.node]: id.nodeId,
  [LABEL.job]: id.jobId,
  [LABEL.task]: id.task,
  [LABEL.attempt]: String(id.attempt),
});

/** `label=value` filters for a list call that finds exactly this attempt's container. */
export const identityFilters = (id: TaskIdentity): string[] => Object.entries(identityLabels(id)).map(([k, v]) => `${k}=${v}`);

/**
 * One name per attempt and node (ids are `[A-Za-z0-9_-]`): the engine refuses a second container of
 * the same name, a last guard against launching an attempt twice.
 */
export const containerName = (id: TaskIdentity) => `ty-${id.nodeId}-${id.jobId}-${id.task}-${id.attempt}`;

export interface ContainerDefaults {
  /** The guide's run-as user for custom images (L1502-1509). */
  uid: number;
  /** Size of the container's `/dev/shm`. */
  shmSizeBytes: number;
}

/**
 * The create call for one task, pure. The command runs as `/bin/sh -c` like the process runtime's;
 * the environment is exactly the spec's (the image's own `ENV` still applies beneath it); the network
 * is the host's, because peers reach each other at their nodes' addresses (`VC_WORKER_HOSTS`); no
 * auto-remove, so a container that ended while the agent was down still holds its exit code and log.
 *
 * @example
 * createOptions({ command: 'python train.py', cwd: '/home/ma-user/modelarts/user-job-dir', env: {},
 *   container: { image: 'pytorch:2.3', mounts: [] }, identity }, { uid: 1000, shmSizeBytes: 2 ** 33 })
 * // { name: 'ty-n1-j1-worker-0-1', Image: 'pytorch:2.3', Cmd: ['/bin/sh', '-c', 'python train.py'], User: '1000:1000', … }
 */
export function createOptions(spec: TaskSpec, defaults: ContainerDefaults): ContainerCreateOptions {
  if (!spec.container) throw new Error('not a container task: spec.container is missing');
  const uid = spec.uid ?? defaults.uid;
  const gid = spec.gid ?? uid;
  return {
    ...(spec.identity ? { name: containerName(spec.identity) } : {}),
    Image: spec.container.image,
    Cmd: ['/bin/sh', '-c', spec.command],
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: spec.cwd,
    User: `${uid}:${gid}`,
    Labels: spec.identity ? identityLabels(spec.identity) : {},
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      NetworkMode: 'host',
      ShmSize: defaults.shmSizeBytes,
      AutoRemove: false,
      Mounts: spec.container.mounts.map((m) => ({ Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly ?? false })),
      ...deviceOptions(spec.container.devices),
    },
  };
}

/**
 * Ascend's management device nodes, which every NPU container needs beside its `/dev/davinci<N>`
 * (what the Ascend Docker runtime mounts for `ASCEND_VISIBLE_DEVICES`).
 */
export const ASCEND_MANAGEMENT_DEVICES = ['/dev/davinci_manager', '/dev/devmm_svm', '/dev/hisi_hdc'];

/**
 * The task's cards for the engine (issue 14): GPUs as an NVIDIA device request naming the host ids
 * (`docker run --gpus '"device=4,5"'`), NPUs as their device nodes. Only these cards are in the
 * container; no request at all for a task given none.
 *
 * @example
 * deviceOptions({ kind: 'gpu', ids: ['4', '5'] })
 * // { DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: ['4', '5'], Capabilities: [['gpu']] }] }
 */
export function deviceOptions(devices: TaskDevices | undefined): Pick<NonNullable<ContainerCreateOptions['HostConfig']>, 'DeviceRequests' | 'Devices'> {
  if (!devices) return {};
  if (devices.kind === 'gpu') return { DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: devices.ids, Capabilities: [['gpu']] }] };
  const nodes = [...devices.ids.map((id) => `/dev/davinci${id}`), ...ASCEND_MANAGEMENT_DEVICES];
  return { Devices: nodes.map((path) => ({ PathOnHost: path, PathInContainer: path, CgroupPermissions: 'rwm' })) };
}
