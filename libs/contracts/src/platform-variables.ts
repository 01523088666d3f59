/**
 * The `MA_*` variables a job may set in `algorithm.environments`. The guide forbids *custom* `MA_*`
 * names (L11962-11963) yet lets users override preset values (L11967-11968) and documents these as
 * knobs users set to steer the platform; every other `MA_*` name stays reserved.
 *
 * | variable                   | values                 | what it steers                                    | guide          |
 * |----------------------------|------------------------|---------------------------------------------------|----------------|
 * | `MA_RUN_METHOD`            | `torchrun` \| `msrun`  | Ascend launch method (unset: rank table)          | L315-318       |
 * | `MA_TORCHRUN_MASTER_PORT`  | 1–65535, default 18888 | torchrun `--master_port`                          | L409-412       |
 * | `MA_EXTRA_TORCHRUN_PARAMS` | torchrun flags         | flags added to, or overriding, the preset ones    | L421-427       |
 * | `MA_SCRIPT_INTERPRETER`    | a command, e.g. `/usr/bin/python3` | what runs the boot file (unset: `python`) | L12087-12092   |
 * | `MA_SKIP_IMAGE_DETECT`     | `0` \| `1`             | pre-check: `0` off; `1` or unset on               | L12501-12515   |
 * | `MA_HANG_DETECT_TIME`      | 10–720 (minutes), default 30 | hang-detection window                       | L12522-12534   |
 * | `MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS` | `-1` (default) or N ≥ 1 | after N s a stopped task's teardown goes on in the background | L8147-8155 |
 *
 * @example
 * ```yaml
 * environments: { MA_RUN_METHOD: torchrun, MA_EXTRA_TORCHRUN_PARAMS: "--rdzv_conf=timeout=7200" }
 * ```
 */
export const USER_SETTABLE_MA_VARIABLES = [
  'MA_RUN_METHOD',
  'MA_TORCHRUN_MASTER_PORT',
  'MA_EXTRA_TORCHRUN_PARAMS',
  'MA_SCRIPT_INTERPRETER',
  'MA_SKIP_IMAGE_DETECT',
  'MA_HANG_DETECT_TIME',
  'MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS',
] as const;
export type UserSettableMaVariable = (typeof USER_SETTABLE_MA_VARIABLES)[number];

/** `MA_RUN_METHOD` values (L315-318); unset means the rank table. */
export const MA_RUN_METHODS = ['torchrun', 'msrun'] as const;

/** torchrun's master port when `MA_TORCHRUN_MASTER_PORT` is unset (L409-412). */
export const DEFAULT_TORCHRUN_MASTER_PORT = 18888;

/** Hang-detection window in minutes when `MA_HANG_DETECT_TIME` is unset, and its range (L12522-12534). */
export const DEFAULT_HANG_DETECT_MINUTES = 30;
export const HANG_DETECT_MINUTES_RANGE = { min: 10, max: 720 } as const;

/**
 * `MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS` (L8147-8155): "a positive integer N: after N seconds
 * the volume-unmount step of container termination runs asynchronously, shortening reschedule recovery
 * for large jobs; default -1 (off), recommended 10". Its seconds, or undefined when off or unset.
 */
export function failoverTerminationGraceSeconds(environments: Readonly<Record<string, string>> | undefined): number | undefined {
  const text = environments?.MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS?.trim();
  return text !== undefined && /^[1-9]\d*$/.test(text) ? Number(text) : undefined;
}
