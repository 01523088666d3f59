import type { FailureAnalysis } from '@trainyard/contracts';
import { FAILURE_RULES, type FailureRule } from './failure-rules';

/** One line of a task's log, by its sequence number in the attempt. */
export interface LogLine {
  seq: number;
  text: string;
}

/** How many matching lines an analysis quotes at most ("对应的日志", L8334-8335). */
const MAX_EVIDENCE = 5;

/**
 * Matches a failed task's last log lines against the rule table (ch12 §5): the first rule, in table
 * order, with a matching line wins, and its matching lines are the evidence. Undefined when nothing
 * matches ("目前还不能识别所有错误", L8339-8340).
 *
 * @example
 * ```ts
 * analyseFailure([{ seq: 41, text: 'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB' }])
 * // { rule: 'LF-CUDA-OOM', category: 'out-of-memory', cause: 'the accelerator ran out of memory', …, evidence: [{ seq: 41, … }] }
 * ```
 */
export function analyseFailure(lines: readonly LogLine[], rules: readonly FailureRule[] = FAILURE_RULES): (FailureAnalysis & { hint: FailureRule['hint'] }) | undefined {
  for (const rule of rules) {
    const selected = rule.select ? rule.select(lines) : undefined;
    // The last matching lines are the ones closest to the failure; a rule's own selection is kept whole.
    const evidence = rule.select ? (selected?.evidence ?? []) : lines.filter((l) => rule.pattern.test(l.text)).slice(-MAX_EVIDENCE);
    if (evidence.length === 0) continue;
    return {
      rule: rule.id,
      category: rule.category,
      cause: selected?.cause ?? rule.cause,
      advice: rule.advice,
      adviceKind: rule.adviceKind,
      evidence: evidence.map(({ seq, text }) => ({ seq, text: text.slice(0, 500) })),
      ...(rule.source ? { source: rule.source } : {}),
      hint: rule.hint,
    };
  }
  return undefined;
}
