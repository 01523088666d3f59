import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A `--since`/`--until`/`--at` value as the API takes it: a stream sequence (`1234`, `seq:1234`), an
 * ISO-8601 instant, or a duration back from now (`90s`, `30m`, `2h`, `7d`, `1h30m`).
 *
 * @example
 * ```ts
 * timeBound('2h', new Date('2026-12-02T12:00:00Z')); // '2026-12-02T10:00:00.000Z'
 * timeBound('seq:41', now);                          // '41'
 * ```
 */
export function timeBound(value: string, now: Date): string {
  const v = value.trim();
  const seq = /^(?:seq:)?(\d{1,16})$/.exec(v);
  if (seq) return seq[1];
  if (/^(\d+[smhd])+$/.test(v)) {
    let ms = 0;
    for (const [, n, unit] of v.matchAll(/(\d+)([smhd])/g)) ms += Number(n) * UNITS[unit];
    return new Date(now.getTime() - ms).toISOString();
  }
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) throw new InvalidArgumentError('expected a duration (2h, 30m, 1d), an ISO-8601 time or a sequence (seq:1234)');
  return new Date(t).toISOString();
}
