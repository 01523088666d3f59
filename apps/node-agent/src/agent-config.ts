import os from 'node:os';
import { resolve } from 'node:path';
import { type Capacity, type DeviceInventory, SUBJECT_TOKEN } from '@trainyard/contracts';
import { defaultContainerSocket } from './container-runtime';
import { DeviceInventoryError, parseIds, probeCards, settleInventory } from './device-inventory';
import { preflightSettings, type PreflightSettings } from './preflight/preflight-settings';
import { loadObjectStores, ObjectStoreConfigError, type ObjectStore } from './staging/object-stores';
import { GUIDE_RETRY, type RetryPolicy } from './staging/retry-policy';
import type { Secret } from './staging/secret';
import { PrivateFileError } from './private-file';
import { loadTrustSecret } from './ssh-trust/trust-secret';
import type { TaskUserSettings } from './task-user';

/**
 * Everything one node agent needs to know about itself. Read from the environment by
 * `loadAgentConfig`; an all-in-one process builds it from options instead.
 *
 * @example
 * TY_NODE_ID=gpu-07 TY_NODE_HOST=10.0.0.7 TY_NODE_GPU=8 TY_NODE_LABELS=zone=a,rack=3 node dist/apps/node-agent/src/main.js
 */
export interface AgentConfig {
  /** `TY_NODE_ID`, default the hostname made subject-safe. Names the node's subject `ty.ev.node.<id>`. */
  nodeId: string;
  /** `TY_NODE_HOST`, default `127.0.0.1`: the address peers use (`MA_CURRENT_IP`, `VC_WORKER_HOSTS`). */
  host: string;
  /** `TY_NODE_POOL`, default `default`. */
  pool: string;
  /** `TY_NODE_LABELS`: `key=value,key=value`. */
  labels: Record<string, string>;
  /**
   * `TY_NODE_CPU`, `TY_NODE_MEMORY_MIB`, `TY_NODE_GPU`, `TY_NODE_NPU`, `TY_NODE_ACCELERATOR_TYPE`; default:
   * this machine, with the cards `devices` lists (`gpu`/`npu` are always the number of its ids).
   */
  capacity: Capacity;
  /**
   * The cards tasks are given (issue 14, device-inventory.ts): `TY_NODE_GPU_IDS` / `TY_NODE_NPU_IDS`,
   * else ids `0…n-1` of a configured count, else what `nvidia-smi` / `npu-smi` list.
   */
  devices: DeviceInventory;
  /** `TY_NODE_WORK_DIR`, default `.data/agents/<nodeId>`; always absolute. Task homes live under it. */
  workDir: string;
  /** `TY_HEARTBEAT_MS`, default 5000. */
  heartbeatMs: number;
  /** `TY_STOP_GRACE_MS`, default 30000: SIGTERM → SIGKILL delay when the agent itself stops a task. */
  stopGraceMs: number;
  /** `TY_NATS_URL`, default `nats://127.0.0.1:4222` (comma-separated for a cluster). */
  natsServers: string[];
  /**
   * `TY_NATS_CREDENTIALS`: this node's credentials file (mode 0600, `yard admin bootstrap`) on a locked
   * bus; unset on an open one. Never passed to tasks (`inheritEnv`).
   */
  natsCredentials?: string;
  /**
   * `TY_TASK_INHERIT_ENV`: variables passed from the agent's environment to tasks before the presets.
   * Default a short allowlist, so the agent's own settings (credentials, `TY_*`) never leak into tasks.
   */
  inheritEnv: string[];
  /** `TY_NODE_CACHE_DIR`, default `<workDir>/cache`: the node's scratch disk, `/cache` in containers (one dir per job). */
  cacheDir: string;
  /** The pre-check's switch and thresholds (`TY_PREFLIGHT*`, `TY_NODE_INFINIBAND`; preflight/preflight-settings.ts). */
  preflight: PreflightSettings;
  /** The container runtime: `TY_CONTAINER_SOCKET` (default Podman's or Docker's socket), `TY_CONTAINER_SHM_MIB` (default 8192). */
  container: { socketPath: string; shmSizeBytes: number };
  /**
   * `TY_ON_SHUTDOWN`: what a deliberate stop does with running tasks. `stop-tasks` (default) stops them
   * and reports them lost; `leave-tasks` leaves them running for the next run to re-adopt (an agent
   * upgrade). A crash always leaves them running, and the next run re-adopts them.
   */
  onShutdown: 'stop-tasks' | 'leave-tasks';
  /**
   * Data staging (issue 14, staging/): the S3-compatible stores of `TY_OBJECT_STORES_FILE` (a secrets
   * file, mode 0600; none by default: `s3://` paths then fail as the job's error), the retry policy
   * (`TY_STAGING_RETRIES`, `TY_STAGING_RETRY_WAIT_MS`; the guide's 10 and 100 ms, doubling) and the
   * output sync interval (`TY_OUTPUT_SYNC_MS`, the guide's 5 s).
   */
  staging: { stores: ObjectStore[]; retry: RetryPolicy; syncMs: number };
  /**
   * SSH trust between a job's instances (issue 14, ssh-trust/): the cluster's secret the keys are
   * derived from (`TY_SSH_TRUST_SECRET_FILE`, mode 0600; none by default: such jobs then fail to
   * launch here), the sshd to start (`TY_SSHD`, default `/usr/sbin/sshd`) and the hosts file the
   * instances' names go into (`TY_HOSTS_FILE`, default `/etc/hosts` when the agent runs as root, else
   * none: the names then resolve for ssh and mpirun through the trust dir's `config` only).
   */
  sshTrust: { secret?: Secret; sshd: string; hostsFile?: string };
  /**
   * Whose user tasks run as (issue 11, task-user.ts): `TY_TASK_USER` `job` (default: the job's
   * `algorithm.userId`, else 1000; the agent must be root) or `agent`; `TY_POOL_DEDICATED=1` allows
   * uids below 1000 (0 = root), the guide's dedicated-pool rule.
   */
  taskUsers: TaskUserSettings;
}

export const DEFAULT_INHERIT_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'LD_LIBRARY_PATH', 'LIBRARY_PATH'];

export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

type Env = Record<string, string | undefined>;

/** Builds the config: explicit `options` win over `env`, which wins over machine defaults. */
export function loadAgentConfig(env: Env = process.env, options: Partial<AgentConfig> = {}): AgentConfig {
  const nodeId = options.nodeId ?? env.TY_NODE_ID ?? subjectSafe(os.hostname());
  if (!SUBJECT_TOKEN.test(nodeId)) throw new AgentConfigError(`node id ${JSON.stringify(nodeId)} must match ${SUBJECT_TOKEN}`);
  const preflight = options.preflight ?? preflightSettings(env);
  const counted = (key: string, given?: number) => given ?? (env[key] !== undefined && env[key]!.trim() !== '' ? num(env, key, 0) : undefined);
  let devices: DeviceInventory;
  try {
    devices = options.devices ?? settleInventory(
      {
        ids: { ...(parseIds(env.TY_NODE_GPU_IDS) ? { gpu: parseIds(env.TY_NODE_GPU_IDS) } : {}), ...(parseIds(env.TY_NODE_NPU_IDS) ? { npu: parseIds(env.TY_NODE_NPU_IDS) } : {}) },
        counts: { gpu: counted('TY_NODE_GPU', options.capacity?.gpu), npu: counted('TY_NODE_NPU', options.capacity?.npu) },
        toolPath: preflight.toolPath,
      },
      (kind) => probeCards(kind, preflight.toolPath),
    );
  } catch (err) {
    if (err instanceof DeviceInventoryError) throw new AgentConfigError(err.message);
    throw err;
  }
  const capacity: Capacity = {
    ...(options.capacity ?? {
      cpu: num(env, 'TY_NODE_CPU', os.availableParallelism()),
      memoryMiB: num(env, 'TY_NODE_MEMORY_MIB', Math.floor(os.totalmem() / 2 ** 20)),
      ...(env.TY_NODE_ACCELERATOR_TYPE ? { acceleratorType: env.TY_NODE_ACCELERATOR_TYPE } : {}),
    }),
    gpu: devices.gpu?.length ?? 0,
    npu: devices.npu?.length ?? 0,
  };
  const workDir = resolve(options.workDir ?? env.TY_NODE_WORK_DIR ?? `.data/agents/${nodeId}`);
  const onShutdown = options.onShutdown ?? env.TY_ON_SHUTDOWN ?? 'stop-tasks';
  if (onShutdown !== 'stop-tasks' && onShutdown !== 'leave-tasks') throw new AgentConfigError(`TY_ON_SHUTDOWN=${onShutdown} must be stop-tasks or leave-tasks`);
  return {
    nodeId,
    taskUsers: options.taskUsers ?? taskUsersFromEnv(env),
    host: options.host ?? env.TY_NODE_HOST ?? '127.0.0.1',
    pool: options.pool ?? env.TY_NODE_POOL ?? 'default',
    labels: options.labels ?? parseLabels(env.TY_NODE_LABELS ?? ''),
    capacity,
    devices,
    workDir,
    heartbeatMs: options.heartbeatMs ?? num(env, 'TY_HEARTBEAT_MS', 5000),
    stopGraceMs: options.stopGraceMs ?? num(env, 'TY_STOP_GRACE_MS', 30_000),
    natsServers: options.natsServers ?? list(env.TY_NATS_URL ?? 'nats://127.0.0.1:4222'),
    ...((options.natsCredentials ?? env.TY_NATS_CREDENTIALS) ? { natsCredentials: options.natsCredentials ?? env.TY_NATS_CREDENTIALS } : {}),
    inheritEnv: options.inheritEnv ?? (env.TY_TASK_INHERIT_ENV !== undefined ? list(env.TY_TASK_INHERIT_ENV) : DEFAULT_INHERIT_ENV),
    cacheDir: resolve(options.cacheDir ?? env.TY_NODE_CACHE_DIR ?? `${workDir}/cache`),
    preflight,
    container: options.container ?? {
      socketPath: defaultContainerSocket(env),
      shmSizeBytes: num(env, 'TY_CONTAINER_SHM_MIB', 8192) * 2 ** 20,
    },
    onShutdown,
    staging: options.staging ?? {
      stores: objectStores(env.TY_OBJECT_STORES_FILE),
      retry: { attempts: num(env, 'TY_STAGING_RETRIES', GUIDE_RETRY.attempts) || 1, firstWaitMs: num(env, 'TY_STAGING_RETRY_WAIT_MS', GUIDE_RETRY.firstWaitMs) },
      syncMs: num(env, 'TY_OUTPUT_SYNC_MS', 5000) || 5000,
    },
    sshTrust: options.sshTrust ?? sshTrustSettings(env),
  };
}

function sshTrustSettings(env: Env): AgentConfig['sshTrust'] {
  const hostsFile = env.TY_HOSTS_FILE ?? (process.getuid?.() === 0 ? '/etc/hosts' : '');
  try {
    const secret = loadTrustSecret(env.TY_SSH_TRUST_SECRET_FILE);
    return { ...(secret ? { secret } : {}), sshd: env.TY_SSHD || '/usr/sbin/sshd', ...(hostsFile ? { hostsFile } : {}) };
  } catch (err) {
    if (err instanceof PrivateFileError) throw new AgentConfigError(err.message);
    throw err;
  }
}

/** `TY_TASK_USER` (`job` | `agent`, default `job`) and `TY_POOL_DEDICATED` (`1`/`true`). */
export function taskUsersFromEnv(env: Env): TaskUserSettings {
  const mode = env.TY_TASK_USER?.trim() || 'job';
  if (mode !== 'job' && mode !== 'agent') throw new AgentConfigError(`TY_TASK_USER=${mode} must be job or agent`);
  const dedicated = env.TY_POOL_DEDICATED?.trim() ?? '';
  if (!['', '0', '1', 'true', 'false'].includes(dedicated)) throw new AgentConfigError(`TY_POOL_DEDICATED=${dedicated} must be 1 or 0`);
  return { mode, dedicatedPool: dedicated === '1' || dedicated === 'true' };
}

function objectStores(file: string | undefined): ObjectStore[] {
  try {
    return loadObjectStores(file);
  } catch (err) {
    if (err instanceof ObjectStoreConfigError) throw new AgentConfigError(err.message);
    throw err;
  }
}

/** `zone=a, rack=3` → `{ zone: 'a', rack: '3' }`. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of list(text)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new AgentConfigError(`label ${JSON.stringify(item)} must be key=value`);
    labels[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return labels;
}

/** Hostnames may hold dots, which separate subject tokens. */
export function subjectSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128) || 'node';
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function num(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new AgentConfigError(`${key}=${raw} must be a non-negative number`);
  return n;
}
