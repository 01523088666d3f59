/**
 * NATS subject matching: `*` matches one token, a trailing `>` one or more.
 *
 * @example
 * subjectMatches('ty.ev.job.*', 'ty.ev.job.j1') // true
 * subjectMatches('ty.ev.>', 'ty.ev.node.n1')    // true
 * subjectMatches('ty.ev.job.*', 'ty.ev.job')    // false
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return i === f.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** True for one literal subject (no wildcard tokens, no empty tokens, no spaces). */
export function isLiteralSubject(subject: string): boolean {
  return subject.length > 0 && !/\s/.test(subject) && subject.split('.').every((t) => t !== '' && t !== '*' && t !== '>');
}

/** Throws unless `subject` can hold an aggregate: expected-sequence checks need one literal subject (2.9). */
export function assertAggregateSubject(subject: string): void {
  if (!isLiteralSubject(subject)) {
    throw new TypeError(`${JSON.stringify(subject)} is not an aggregate subject (one literal subject, no wildcards)`);
  }
}

/** Durable consumer names become tokens of JetStream API subjects. */
const DURABLE_NAME = /^[A-Za-z0-9_-]{1,200}$/;

/** Throws unless `name` can name a durable consumer (letters, digits, `_`, `-`). */
export function assertDurableName(name: string): void {
  if (!DURABLE_NAME.test(name)) throw new TypeError(`invalid durable name ${JSON.stringify(name)} (letters, digits, _ and - only)`);
}
