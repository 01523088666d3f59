import type { Explanation, JobAt, JobGoodput, MomentRef, NodeAt, SimReport } from '@trainyard/history';
import { formatDuration, formatTime, renderTable } from './format';

/** `yard explain`: one numbered line per decision. */
export function formatExplanation(e: Explanation): string {
  if (!e.decisions.length) return `No decisions recorded for ${e.jobId}.\n`;
  return `${e.decisions.map((d, i) => `${String(i + 1).padStart(3)}. ${formatTime(d.time)}  [${d.kind}] ${d.text}  (seq ${d.seq}, ${d.actor})`).join('\n')}\n`;
}

const when = (at: MomentRef) => `As of ${at.time ? formatTime(at.time) : '-'} (seq ${at.seq})`;

export function formatJobAt(job: JobAt, at: MomentRef): string {
  const rows: [string, string][] = [
    ['ID', job.id], ['Name', job.name], ['State', job.state], ['Priority', String(job.priority)], ['Attempt', String(job.attempt)],
    ['Created', `${formatTime(job.createdAt)} by ${job.createdBy}`], ['Started', formatTime(job.startedAt)], ['Ended', formatTime(job.endedAt)],
    ...(job.reason ? [['Reason', job.reason] as [string, string]] : []),
    ...(job.waitReason ? [['Waiting', job.waitReason.code] as [string, string]] : []),
  ];
  const tasks = renderTable(['TASK', 'STATE', 'NODE', 'ATTEMPT', 'EXIT'], job.tasks.map((t) => [t.name, t.state, t.nodeId ?? '-', String(t.attempt), t.exitCode === null ? '-' : String(t.exitCode)]));
  return `${when(at)}\n${rows.map(([k, v]) => `${`${k}:`.padEnd(10)}${v}`).join('\n')}\n\n${tasks}`;
}

export function formatJobsAt(items: readonly JobAt[], at: MomentRef): string {
  if (!items.length) return `${when(at)}: no jobs.\n`;
  return `${when(at)}\n${renderTable(['ID', 'NAME', 'STATE', 'PRIORITY', 'NODES'], items.map((j) => [j.id, j.name, j.state, String(j.priority), [...new Set(j.tasks.flatMap((t) => (t.nodeId && (t.state === 'running' || t.state === 'assigned') ? [t.nodeId] : [])))].join(',') || '-']))}`;
}

export function formatNodesAt(items: readonly NodeAt[], at: MomentRef): string {
  if (!items.length) return `${when(at)}: no nodes.\n`;
  return `${when(at)}\n${renderTable(['NODE', 'POOL', 'AVAILABILITY', 'CPU USED/TOTAL', 'MEMORY MiB', 'GPU'], items.map((n) => [
    n.id, n.pool, n.availability ?? 'in service', `${n.used.cpu}/${n.capacity.cpu}`, `${n.used.memoryMiB}/${n.capacity.memoryMiB}`, `${n.used.gpu}/${n.capacity.gpu}`,
  ]))}`;
}

/** Goodput lines of `yard describe`. */
export function formatGoodput(g: JobGoodput): string {
  const share = (ms: number) => (g.allocatedMs > 0 ? ` (${Math.round((ms / g.allocatedMs) * 100)}%)` : '');
  const per = (ms: number) => formatDuration(g.instances ? ms / g.instances : ms);
  const lines = [
    `Goodput:   ${g.goodput === null ? '-' : `${Math.round(g.goodput * 100)}%`} of allocated time was useful (per instance: allocated ${per(g.allocatedMs)}, waited ${per(g.waitingMs)})`,
    `           useful ${per(g.usefulMs)}${share(g.usefulMs)}, startup ${per(g.startupMs)}${share(g.startupMs)}, recovery ${per(g.recoveryMs)}${share(g.recoveryMs)}, reruns ${per(g.rerunsMs)}${share(g.rerunsMs)}, failed ${per(g.failedMs)}${share(g.failedMs)}`,
  ];
  for (const r of g.recoveries) {
    const ms = (v: number | null) => (v === null ? '-' : `${(v / 1000).toFixed(1)}s`);
    lines.push(`Recovery:  ${formatTime(r.faultAt)} ${r.fault} → ${r.action} (${r.rule}): detect ${ms(r.detectMs)} → decide ${ms(r.decideMs)} → stop ${ms(r.stopMs)} → place ${ms(r.placeMs)} → start ${ms(r.startMs)}; total ${ms(r.totalMs)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `yard sim`: the replay's figures, and the what-if's beside them. */
export function formatSimReport(baseline: SimReport, whatIf?: SimReport): string {
  const cols = whatIf ? ['', 'RECORDED CLUSTER', 'WHAT-IF'] : ['', 'RECORDED CLUSTER'];
  const row = (label: string, f: (r: SimReport) => string) => [label, f(baseline), ...(whatIf ? [f(whatIf)] : [])];
  const keys = [...new Set([...Object.keys(baseline.waits), ...Object.keys(whatIf?.waits ?? {})])].sort();
  const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)}s`);
  const table = renderTable(cols, [
    row('jobs', (r) => String(r.jobs)),
    ...keys.flatMap((k) => [row(`wait p50 ${k}`, (r) => secs(r.waits[k]?.p50Ms)), row(`wait p95 ${k}`, (r) => secs(r.waits[k]?.p95Ms))]),
    row('never placed', (r) => String(r.waits.all?.neverPlaced ?? 0)),
    row('cpu utilisation', (r) => `${Math.round(r.utilisation.cpu * 100)}%`),
    row('preemptions', (r) => String(r.preemptions)),
    row('recoveries', (r) => String(r.recoveries)),
    row('placements as recorded', (r) => `${r.matched}/${r.recorded}`),
  ]);
  const diffs = (whatIf ?? baseline).differences;
  const verdict = baseline.identical ? 'The replay on the recorded cluster reproduces every recorded placement.\n' : `The replay on the recorded cluster differs from the recording (${baseline.matched}/${baseline.recorded} placements as recorded).\n`;
  const first = diffs.length
    ? `First decisions that differ${whatIf ? ' in the what-if' : ''}:\n${diffs.map((d) => `  ${d.jobId} attempt ${d.attempt}: recorded ${d.recorded ? Object.entries(d.recorded.nodes).map(([t, n]) => `${t}→${n}`).join(',') : 'none'}, simulated ${d.simulated ? Object.entries(d.simulated.nodes).map(([t, n]) => `${t}→${n}`).join(',') : 'none'}`).join('\n')}\n`
    : '';
  return `${table}\n${verdict}${first}`;
}
