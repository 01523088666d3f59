import os from 'node:os';
import { resolve } from 'node:path';
import { type Capacity, SUBJECT_TOKEN } from '@trainyard/contracts';
import { defaultContainerSocket } from './container-runtime';
import { preflightSettings, type PreflightSettings } from './preflight/preflight-settings';

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
  /** `TY_NODE_CPU`, `TY_NODE_MEMORY_MIB`, `TY_NODE_GPU`, `TY_NODE_NPU`, `TY_NODE_ACCELERATOR_TYPE`; default: this machine, no accelerators. */
  capacity: Capacity;
  /** `TY_NODE_WORK_DIR`, default `.data/agents/<nodeId>`; always absolute. Task homes live under it. */
  workDir: string;
  /** `TY_HEARTBEAT_MS`, default 5000. */
  heartbeatMs: number;
  /** `TY_STOP_GRACE_MS`, default 30000: SIGTERM → SIGKILL delay when the agent itself stops a task. */
  stopGraceMs: number;
  /** `TY_NATS_URL`, default `nats://127.0.0.1:4222` (comma-separated for a cluster). */
  natsServers: string[];
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
  const capacity: Capacity = options.capacity ?? {
    cpu: num(env, 'TY_NODE_CPU', os.availableParallelism()),
    memoryMiB: num(env, 'TY_NODE_MEMORY_MIB', Math.floor(os.totalmem() / 2 ** 20)),
    gpu: num(env, 'TY_NODE_GPU', 0),
    npu: num(env, 'TY_NODE_NPU', 0),
    ...(env.TY_NODE_ACCELERATOR_TYPE ? { acceleratorType: env.TY_NODE_ACCELERATOR_TYPE } : {}),
  };
  const workDir = resolve(options.workDir ?? env.TY_NODE_WORK_DIR ?? `.data/agents/${nodeId}`);
  const onShutdown = options.onShutdown ?? env.TY_ON_SHUTDOWN ?? 'stop-tasks';
  if (onShutdown !== 'stop-tasks' && onShutdown !== 'leave-tasks') throw new AgentConfigError(`TY_ON_SHUTDOWN=${onShutdown} must be stop-tasks or leave-tasks`);
  return {
    nodeId,
    host: options.host ?? env.TY_NODE_HOST ?? '127.0.0.1',
    pool: options.pool ?? env.TY_NODE_POOL ?? 'default',
    labels: options.labels ?? parseLabels(env.TY_NODE_LABELS ?? ''),
    capacity,
    workDir,
    heartbeatMs: options.heartbeatMs ?? num(env, 'TY_HEARTBEAT_MS', 5000),
    stopGraceMs: options.stopGraceMs ?? num(env, 'TY_STOP_GRACE_MS', 30_000),
    natsServers: options.natsServers ?? list(env.TY_NATS_URL ?? 'nats://127.0.0.1:4222'),
    inheritEnv: options.inheritEnv ?? (env.TY_TASK_INHERIT_ENV !== undefined ? list(env.TY_TASK_INHERIT_ENV) : DEFAULT_INHERIT_ENV),
    cacheDir: resolve(options.cacheDir ?? env.TY_NODE_CACHE_DIR ?? `${workDir}/cache`),
    preflight: options.preflight ?? preflightSettings(env),
    container: options.container ?? {
      socketPath: defaultContainerSocket(env),
      shmSizeBytes: num(env, 'TY_CONTAINER_SHM_MIB', 8192) * 2 ** 20,
    },
    onShutdown,
  };
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
