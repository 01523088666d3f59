/**
 * Thresholds and switches of the pre-check. The defaults are the guide's (ch12-13 §2.5, L7599-7653);
 * every one is configuration (ARCHITECTURE decision 10), so tests shrink or raise them.
 *
 * @example
 * TY_PREFLIGHT_ROOT_MIN_GIB=64 TY_PREFLIGHT_PATH=/opt/nvidia/bin:/usr/bin node dist/apps/node-agent/src/main.js
 */
export interface PreflightSettings {
  /** `TY_PREFLIGHT`: `off` disables the pre-check on this node whatever the jobs say. Default on. */
  enabled: boolean;
  /** Free space the task root must exceed: "大于32GB" (L7612-7618). `TY_PREFLIGHT_ROOT_MIN_GIB`, default 32 GiB. */
  rootMinFreeBytes: number;
  /** `/dev/shm` must exceed "1GB" (L7620-7626). `TY_PREFLIGHT_SHM_MIN_GIB`, default 1 GiB. */
  shmMinFreeBytes: number;
  /** The cache dir must exceed "32GB" (L7629-7635). `TY_PREFLIGHT_CACHE_MIN_GIB`, default 32 GiB. */
  cacheMinFreeBytes: number;
  /** Where shared memory is mounted on this host. Default `/dev/shm`. */
  shmDir: string;
  /**
   * Soft limits tasks inherit must exceed these on InfiniBand nodes (L7637-7642), in `ulimit` units:
   * KiB for locked memory (`-l`) and stack (`-s`). `unlimited` always passes.
   */
  ulimit: { lockedMemoryKiB: number; openFiles: number; stackKiB: number; userProcesses: number };
  /** Whether this node uses InfiniBand (`TY_NODE_INFINIBAND`); default: `/sys/class/infiniband` lists a device. */
  infiniband?: boolean;
  /** Where `nvidia-smi` and `npu-smi` are looked up (`TY_PREFLIGHT_PATH`); default the agent's `PATH`. */
  toolPath: string;
  /** Uncorrectable (volatile) ECC errors a GPU may report and still pass. Default 0. */
  maxUncorrectableEcc: number;
  /** NPU health states that pass (`npu-smi info`). Default `OK` and `Warning` (a warning is not a fault). */
  npuHealthyStates: string[];
  /** Longest one item may take (a hung `nvidia-smi`, a slow resolver). Default 30 s. */
  itemTimeoutMs: number;
}

const GiB = 2 ** 30;

export const DEFAULT_PREFLIGHT: Readonly<PreflightSettings> = {
  enabled: true,
  rootMinFreeBytes: 32 * GiB,
  shmMinFreeBytes: 1 * GiB,
  cacheMinFreeBytes: 32 * GiB,
  shmDir: '/dev/shm',
  ulimit: { lockedMemoryKiB: 16_000, openFiles: 1_000_000, stackKiB: 8_000, userProcesses: 1_000_000 },
  toolPath: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  maxUncorrectableEcc: 0,
  npuHealthyStates: ['OK', 'Warning'],
  itemTimeoutMs: 30_000,
};

type Env = Record<string, string | undefined>;

/** Settings from `TY_PREFLIGHT*` variables over the defaults, then `overrides` over both. */
export function preflightSettings(env: Env = {}, overrides: Partial<PreflightSettings> = {}): PreflightSettings {
  const gib = (key: string, fallback: number) => (env[key] !== undefined && env[key] !== '' ? Number(env[key]) * GiB : fallback);
  const d = DEFAULT_PREFLIGHT;
  const fromEnv: PreflightSettings = {
    ...d,
    enabled: env.TY_PREFLIGHT === undefined ? d.enabled : !/^(0|off|false|no)$/i.test(env.TY_PREFLIGHT),
    rootMinFreeBytes: gib('TY_PREFLIGHT_ROOT_MIN_GIB', d.rootMinFreeBytes),
    shmMinFreeBytes: gib('TY_PREFLIGHT_SHM_MIN_GIB', d.shmMinFreeBytes),
    cacheMinFreeBytes: gib('TY_PREFLIGHT_CACHE_MIN_GIB', d.cacheMinFreeBytes),
    toolPath: env.TY_PREFLIGHT_PATH ?? d.toolPath,
    ...(env.TY_NODE_INFINIBAND !== undefined ? { infiniband: /^(1|on|true|yes)$/i.test(env.TY_NODE_INFINIBAND) } : {}),
  };
  return { ...fromEnv, ...overrides, ulimit: { ...fromEnv.ulimit, ...overrides.ulimit } };
}

/**
 * `MA_SKIP_IMAGE_DETECT` (Table 14-22, L12501-12515): despite its name, `1` or unset means the pre-check
 * runs and `0` turns it off. The job sets it in `algorithm.environments`.
 */
export function precheckWanted(environments: Record<string, string> | undefined): boolean {
  return environments?.MA_SKIP_IMAGE_DETECT?.trim() !== '0';
}
