import { describeUnstorable, SUBJECT_TOKEN, unstorableReason } from '@trainyard/contracts';
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
