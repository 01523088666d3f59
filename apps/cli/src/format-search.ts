import type { SearchSummary, SearchView } from '@trainyard/contracts';
import { renderTable } from './format';

const num = (v: number | null | undefined) => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+(e|$)/, '$1'));
const values = (v: Record<string, number | string>) => Object.entries(v).map(([k, x]) => `${k}=${typeof x === 'number' ? num(x) : x}`).join(' ');

/** `yard search list`: one row per search. */
export function formatSearches(items: readonly SearchSummary[]): string {
  if (!items.length) return 'No searches.\n';
  return renderTable(
    ['ID', 'NAME', 'PROJECT', 'ALGORITHM', 'STATUS', 'TRIALS', 'BEST', 'CREATED'],
    items.map((s) => [s.id, s.name, s.project, s.algorithm, s.status, `${s.trialsEnded}/${s.numSamples}`, s.best ? `${num(s.best.value)} (trial ${s.best.trial})` : '-', s.createdAt]),
  );
}

/** `yard search show`: the search, its best trial, and every trial with its values and result. */
export function formatSearch(s: SearchView): string {
  const head = [
    `Search:     ${s.id} (${s.name}, project ${s.project})`,
    `Algorithm:  ${s.algorithm} ${values(s.algorithmParameters)}`,
    `Metric:     ${s.metric.name} (${s.metric.direction}) /${s.metric.regex}/`,
    `Status:     ${s.status}${s.stoppedBy ? ` (stopped by ${s.stoppedBy})` : ''}; ${s.trialsEnded} of ${s.numSamples} trials ended, ${s.parallelTrials} at once${s.earlyStopping ? `; median stopping after ${s.earlyStopping.warmupSteps} steps` : ''}`,
    `Best:       ${s.best ? `trial ${s.best.trial} (job ${s.best.jobId}): ${s.metric.name}=${num(s.best.value)}  ${values(s.best.values)}` : '-'}`,
    '',
  ].join('\n');
  if (!s.trials.length) return `${head}No trials yet.\n`;
  const table = renderTable(
    ['TRIAL', 'STATUS', s.metric.name.toUpperCase(), 'STEPS', 'VALUES', 'JOB', 'NOTE'],
    s.trials.map((t) => [String(t.trial), t.status, num(t.value ?? t.lastReport?.value), String(t.reports), values(t.values), t.jobId, t.reason ?? '']),
  );
  return `${head}${table}`;
}
