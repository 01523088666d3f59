import { describeUnstorable, FLAVOR_ID, SUBJECT_TOKEN, unstorableReason } from '@trainyard/contracts';
import { InvalidArgumentError } from 'commander';
import { JOB_STATES } from './wait-verdict';

/** Commander argument parsers; a bad value becomes a usage error (exit 2) naming the option. */

export function integerAtLeast(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    return Number(value);
  };
}

export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return n;
}

/** Task names become URL path segments and NATS subject tokens, so hold them to the subject token rule. */
export function taskName(value: string): string {
  if (!SUBJECT_TOKEN.test(value)) throw new InvalidArgumentError('expected a task name such as worker-0');
  return value;
}

/** A typo in `yard wait --for` would otherwise wait until the job ends. */
export function jobState(value: string): string {
  const state = value.toLowerCase();
  if (!JOB_STATES.includes(state)) throw new InvalidArgumentError(`expected one of ${JOB_STATES.join(', ')}`);
  return state;
}

export function integerBetween(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`expected an integer ${min}–${max}`);
    return Number(value);
  };
}

/** Job and node ids become URL path segments and NATS subject tokens: caught here, not as a 400. */
export function resourceId(value: string): string {
  if (!SUBJECT_TOKEN.test(value)) throw new InvalidArgumentError('expected an id of 1–128 letters, digits, - and _');
  return value;
}

/** Free text sent to the API (a reason, a search pattern): 1–`maxChars` characters the API can store. */
export function text(maxChars: number) {
  return (value: string): string => {
    const reason = unstorableReason(value);
    if (reason) throw new InvalidArgumentError(`the text ${describeUnstorable(reason)}`);
    if (value.trim() === '' || [...value].length > maxChars) throw new InvalidArgumentError(`expected 1–${maxChars} characters`);
    return value;
  };
}

/** `30d`, `12h`, `90m`, `45s` → seconds (token lifetimes). */
export function duration(value: string): number {
  const m = /^(\d{1,6})([smhd])$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new InvalidArgumentError('expected a duration such as 30d, 12h, 90m or 45s');
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** An ISO-8601 instant (audit windows). */
export function instant(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError('expected an ISO-8601 time such as 2026-01-31T12:00:00Z');
  return new Date(t).toISOString();
}

/** Repeated or comma-separated values (`--role member --role job:setHighPriority`, `--role a,b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** `gpu=8,cpu=64,gpu/nvidia-a100=4`: quota amounts per resource (the API checks the names and ranges too). */
export function quotaAmounts(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9/._-]+)=([0-9]+(\.[0-9]+)?)$/.exec(part);
    if (!m) throw new InvalidArgumentError(`expected resource=amount[,resource=amount…] (e.g. gpu=8,cpu=64), not "${part}"`);
    out[m[1]] = Number(m[2]);
  }
  if (!Object.keys(out).length) throw new InvalidArgumentError('expected at least one resource=amount');
  return out;
}

/** A number above 0: a fair-share weight, a flavor's (fractional) CPUs. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

/** A catalogue flavor id (`cpu.2u4g`): a URL path segment, as the API checks it. */
export function flavorId(value: string): string {
  if (!FLAVOR_ID.test(value)) throw new InvalidArgumentError('expected a flavor id of dot-separated letters, digits, - and _, e.g. cpu.2u4g');
  return value;
}

/** An experiment name, as the API checks it (`^[A-Za-z0-9_.-]{1,64}$`). */
export function experimentName(value: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value)) throw new InvalidArgumentError('expected an experiment name of 1–64 letters, digits, ., - and _');
  return value;
}
