/** Times and durations as the console shows them. Pure: `now` is an argument. */

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `45s`, `3m 05s`, `2h 07m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export const age = (createdAt: string, now: number) => formatDuration(now - Date.parse(createdAt));

/** From the first start to the end (or now); `—` before it started. */
export function runTime(job: { startedAt: string | null; endedAt: string | null }, now: number): string {
  if (!job.startedAt) return '—';
  return formatDuration((job.endedAt ? Date.parse(job.endedAt) : now) - Date.parse(job.startedAt));
}

/**
 * Running time as the guide counts it (L9071-9072): the sum of the job's runs, queueing and
 * re-queueing excluded. A run starts at `JobStarted` and ends at the next re-queue or the job's end.
 */
export function runningMs(events: readonly { type: string; time: string; data?: any }[], now: number): number {
  let total = 0;
  let since: number | undefined;
  for (const e of events) {
    const t = Date.parse(e.time);
    if (e.type === 'JobStarted' && since === undefined) since = t;
    const ends = (e.type === 'JobQueued' && e.data?.requeue) || END_TYPES.has(e.type);
    if (ends && since !== undefined) {
      total += t - since;
      since = undefined;
    }
  }
  return since === undefined ? total : total + (now - since);
}
const END_TYPES = new Set(['JobSucceeded', 'JobFailed', 'JobAbnormal', 'JobTerminated']);

export const percent = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);
