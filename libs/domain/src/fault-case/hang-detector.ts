import type { HangEvidence } from '@trainyard/contracts';

/**
 * The guide's hang detection (ch12 §3.1, L7693-7717), pure: both rule sets at once.
 *
 * - **single instance**: a task's process I/O and its log output stayed unchanged for the whole window
 *   (several sampling cycles), and its accelerator utilisation was flat (small variance, and the
 *   medians of the window's halves agree);
 * - **all instances**: every running task's accelerator utilisation was flat and each used less than
 *   one CPU core for the whole window.
 *
 * The window is `MA_HANG_DETECT_TIME` (default 30 min, 10–720, L12522-12534). A metric the sampler
 * does not report is unknown: unknown I/O or CPU never proves a hang; an unknown utilisation (an
 * accelerator without a utilisation counter) does not disprove one.
 */

/** One sample of one task attempt. Time is an input (epoch ms). */
export interface TaskObservation {
  at: number;
  /** Cumulative process I/O of the task (bytes read + written), when the sampler counts it. */
  ioBytes?: number;
  /** I/O rate (any unit) when only rates are known; 0 = no I/O in the interval. */
  ioRate?: number;
  /** Log lines the task attempt has written so far. */
  logLines: number;
  /** Accelerator utilisation, percent. */
  accelUtil?: number;
  /** CPU cores in use. */
  cpuCores?: number;
}

export interface HangDetectorOptions {
  windowMs: number;
  /** Samples the window must hold ("多个检测周期"). Default 3. */
  minSamples: number;
  /** Utilisation is flat when its variance is at most this (percent²). Default 4. */
  maxUtilVariance: number;
  /** …and the medians of the window's two halves differ by at most this (percent). Default 2. */
  maxUtilMedianShift: number;
  /** The all-instance rule's CPU limit per task (cores). Default 1 (L7712-7713). */
  maxCpuCores: number;
}

export const DEFAULT_HANG_OPTIONS: Omit<HangDetectorOptions, 'windowMs'> = { minSamples: 3, maxUtilVariance: 4, maxUtilMedianShift: 2, maxCpuCores: 1 };

/** `MA_HANG_DETECT_TIME` in minutes, clamped to the guide's 10–720 (default 30), as milliseconds × `scale`. */
export function hangWindowMs(minutes: number | undefined, scale = 1): number {
  const m = minutes === undefined || !Number.isFinite(minutes) ? 30 : Math.min(720, Math.max(10, minutes));
  return Math.max(1, Math.round(m * 60_000 * scale));
}

/**
 * A job's own hang window in minutes: its `MA_HANG_DETECT_TIME` (L12522-12534: "hang-detection time…
 * range 10–720, minutes"; the user may set it, L7715-7717), or undefined when it sets none, so the
 * cluster's default applies. Validation at submit keeps it an integer in range; anything else is ignored.
 */
export function jobHangMinutes(environments: Readonly<Record<string, string>> | undefined): number | undefined {
  const text = environments?.MA_HANG_DETECT_TIME;
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/** Adds a sample and forgets what no window ending now or later needs (one sample before the window stays: the baseline). */
export function addObservation(series: readonly TaskObservation[], obs: TaskObservation, windowMs: number): TaskObservation[] {
  const next = [...series.filter((s) => s.at < obs.at), obs];
  const start = obs.at - windowMs;
  const firstInside = next.findIndex((s) => s.at >= start);
  return firstInside <= 0 ? next : next.slice(firstInside - 1);
}

/** What one task's samples say about the window ending at `now`. */
export interface TaskAssessment {
  /** The samples span the whole window with enough cycles. */
  covered: boolean;
  ioUnchanged?: boolean;
  logSilent: boolean;
  utilFlat: boolean;
  utilVariance?: number;
  utilMedian?: number;
  maxCpuCores?: number;
  /** The single-instance rule holds. */
  hung: boolean;
}

export function assessTask(series: readonly TaskObservation[], now: number, o: HangDetectorOptions): TaskAssessment {
  const start = now - o.windowMs;
  const baseline = [...series].reverse().find((s) => s.at <= start);
  const inside = series.filter((s) => s.at > start && s.at <= now);
  const all = baseline ? [baseline, ...inside] : inside;
  const covered = baseline !== undefined && inside.length >= o.minSamples;
  const logSilent = covered && all.every((s) => s.logLines === all[0].logLines);
  const io = ioUnchanged(all);
  const utils = all.flatMap((s) => (s.accelUtil !== undefined ? [s.accelUtil] : []));
  const cpus = all.flatMap((s) => (s.cpuCores !== undefined ? [s.cpuCores] : []));
  const utilVariance = utils.length ? variance(utils) : undefined;
  const utilMedian = utils.length ? median(utils) : undefined;
  const half = Math.floor(utils.length / 2);
  const shift = utils.length >= 2 ? Math.abs(median(utils.slice(0, half)) - median(utils.slice(half))) : 0;
  const utilFlat = utils.length === 0 || ((utilVariance ?? 0) <= o.maxUtilVariance && shift <= o.maxUtilMedianShift);
  // A CPU figure proves idleness only when every sample has one.
  const maxCpuCores = cpus.length === all.length && cpus.length ? Math.max(...cpus) : undefined;
  return {
    covered,
    ...(io !== undefined ? { ioUnchanged: io } : {}),
    logSilent,
    utilFlat,
    ...(utilVariance !== undefined ? { utilVariance: round(utilVariance) } : {}),
    ...(utilMedian !== undefined ? { utilMedian: round(utilMedian) } : {}),
    ...(maxCpuCores !== undefined ? { maxCpuCores: round(maxCpuCores) } : {}),
    hung: covered && io === true && logSilent && utilFlat,
  };
}

/**
 * The verdict on one job: evidence when either rule holds at `now`, else undefined. `tasks` are the
 * job's running task attempts with their samples.
 *
 * @example
 * ```ts
 * detectHang([{ task: 'worker-0', series }], Date.parse(now), { ...DEFAULT_HANG_OPTIONS, windowMs: hangWindowMs(30) })
 * // { rule: 'single-instance', windowMs: 1800000, tasks: [{ task: 'worker-0', ioUnchanged: true, logSilent: true, … }] }
 * ```
 */
export function detectHang(tasks: readonly { task: string; series: readonly TaskObservation[] }[], now: number, o: HangDetectorOptions): HangEvidence | undefined {
  if (tasks.length === 0) return undefined;
  const assessed = tasks.map((t) => ({ task: t.task, a: assessTask(t.series, now, o) }));
  const evidence = (x: { task: string; a: TaskAssessment }) => ({
    task: x.task,
    ...(x.a.ioUnchanged !== undefined ? { ioUnchanged: x.a.ioUnchanged } : {}),
    logSilent: x.a.logSilent,
    ...(x.a.utilVariance !== undefined ? { utilVariance: x.a.utilVariance } : {}),
    ...(x.a.utilMedian !== undefined ? { utilMedian: x.a.utilMedian } : {}),
    ...(x.a.maxCpuCores !== undefined ? { maxCpuCores: x.a.maxCpuCores } : {}),
  });
  const single = assessed.filter((x) => x.a.hung);
  if (single.length) return { rule: 'single-instance', windowMs: o.windowMs, tasks: single.map(evidence) };
  const idle = assessed.every((x) => x.a.covered && x.a.utilFlat && x.a.maxCpuCores !== undefined && x.a.maxCpuCores < o.maxCpuCores);
  return idle ? { rule: 'all-instances', windowMs: o.windowMs, tasks: assessed.map(evidence) } : undefined;
}

function ioUnchanged(all: readonly TaskObservation[]): boolean | undefined {
  if (all.length && all.every((s) => s.ioBytes !== undefined)) return all.every((s) => s.ioBytes === all[0].ioBytes);
  if (all.length && all.every((s) => s.ioRate !== undefined)) return all.every((s) => s.ioRate === 0);
  return undefined;
}

function variance(xs: readonly number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
