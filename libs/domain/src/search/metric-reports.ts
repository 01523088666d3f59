import { SEARCH_LIMITS } from '@trainyard/contracts';

/** One match of the metric regex: the log line's number and the value it holds. */
export interface MetricMatch {
  line: number;
  value: number;
}

/**
 * The metric's values in these log lines (the guide's 指标正则, L7087–L7107): the regex is tried on
 * each line (its first {@link SEARCH_LIMITS.lineChars} characters: a bound on what a bad regex can
 * cost), and the group named `value`, else group 1, read as a number. A match that is not a finite
 * number is skipped.
 */
export function metricMatches(regex: string | RegExp, lines: readonly { seq: number; text: string }[]): MetricMatch[] {
  const re = typeof regex === 'string' ? new RegExp(regex) : regex;
  const out: MetricMatch[] = [];
  for (const l of lines) {
    const m = re.exec(l.text.length > SEARCH_LIMITS.lineChars ? l.text.slice(0, SEARCH_LIMITS.lineChars) : l.text);
    if (!m) continue;
    const raw = m.groups?.value ?? m[1];
    if (raw === undefined) continue;
    const value = Number(raw.trim());
    if (raw.trim() !== '' && Number.isFinite(value)) out.push({ line: l.seq, value });
  }
  return out;
}
