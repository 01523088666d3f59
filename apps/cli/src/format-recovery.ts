import type { NodeView, RecoveryView } from '@trainyard/contracts';
import { formatTime, renderTable } from './format';

/**
 * The "容错与恢复" section of `yard describe` (L7672-7683): the switches, the restart count as the
 * console shows it ("当前重启次数/最大重启次数"), every recovery decision with the rule that fired,
 * suspected hangs, and what the failure analysis found in failed tasks' logs.
 *
 * @example
 * Fault tolerance: auto restart on, restarts 1/3, unconditional off, hang retry off
 * TIME      ATTEMPT  RULE                  ACTION          FAULT                        RESTARTS
 * 10:02:11  1        isolating-reschedule  reschedule-job  node-lost worker-0 on n2     1/3
 */
export function formatRecovery(r: RecoveryView): string {
  const p = r.policy;
  const on = (b: boolean) => (b ? 'on' : 'off');
  const head = p.autoRestart
    ? `Fault tolerance: auto restart on, restarts ${r.restarts?.current ?? 0}/${r.restarts?.max ?? p.maxRestarts}, unconditional ${on(p.unconditional)}, hang retry ${on(p.hangRetry)}${p.maxPodRestarts !== undefined ? `, pod reschedules up to ${p.maxPodRestarts}` : ''}\n`
    : 'Fault tolerance: auto restart off\n';
  const rows = r.history.map((h) => {
    if (h.kind === 'suspected-hang') return [formatTime(h.time), String(h.attempt), '-', 'suspected hang (J10)', '-', '-'];
    const f = h.fault;
    const fault = f ? [f.kind, f.code, f.task, f.nodeId ? `on ${f.nodeId}` : undefined].filter(Boolean).join(' ') : '-';
    const isolated = h.isolate?.length ? ` (isolate ${h.isolate.join(', ')})` : '';
    return [formatTime(h.time), String(h.attempt), h.rule ?? '-', `${h.action ?? '-'}${isolated}`, fault, h.restarts ? `${h.restarts.current}/${h.restarts.max}` : '-'];
  });
  const history = rows.length ? `\nRecovery history:\n${renderTable(['TIME', 'ATTEMPT', 'RULE', 'ACTION', 'FAULT', 'RESTARTS'], rows)}` : '';
  const analyses = r.analyses
    .map((a) => {
      const lines = a.evidence.map((e) => `    ${e.seq}: ${e.text}`).join('\n');
      // The guide's "copy the job" advice (ch14): the command that does it, with the fixes as --set.
      const advice = a.adviceKind === 'copy_job' ? `copy the job: yard copy ${r.jobId} --set path=value` : 'see the reference case';
      return `  ${a.task} (attempt ${a.attempt}) ${a.rule}\n    Possible cause: ${a.cause}\n    Recommended:    ${a.advice} (${advice})\n${lines}`;
    })
    .join('\n');
  return `${head}${history}${analyses ? `\nFailure analysis:\n${analyses}\n` : ''}`;
}

/** One node after an operator command. */
export function formatNodeAvailability(n: NodeView): string {
  const state = n.availability ?? 'in service';
  const why = n.isolation ? ` (${n.isolation.reason} by ${n.isolation.by} since ${formatTime(n.isolation.since)}${n.isolation.detail ? `: ${n.isolation.detail}` : ''})` : '';
  return `${n.id}: ${state}${why}\n`;
}
