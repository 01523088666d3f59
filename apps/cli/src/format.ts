import { describeWaitReason } from '@trainyard/contracts';
import type { ClusterEventView, JobEventView, JobPage, JobView, LogLine, NodeView, PoolView, Resources, TaskView, VerifyResult } from '@trainyard/contracts';

/**
 * Pure text rendering of API answers. Nothing here does I/O or reads the clock: `now` is an argument,
 * so every output is a function of its inputs. Times print in UTC, like the server's logs.
 */

const NONE = '-';

// ---------------------------------------------------------------- generic helpers

/** Terminal columns a string takes: CJK and full-width characters take two (job descriptions may be Chinese). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200b) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/** Left-aligned columns two spaces apart; the last column is not padded, so long messages do not drag spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : padEnd(c, widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `2025-03-01 08:15:02` (UTC), or `-` when there is no time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return NONE;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

/** Compact duration: `42s`, `3m05s`, `2h07m`, `3d04h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${two(Math.floor((s % 86_400) / 3600))}h`;
}

/** How long ago `iso` was, e.g. `5m10s`; `-` without a time. */
export function formatAge(iso: string | null | undefined, now: Date): string {
  if (!iso) return NONE;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? NONE : formatDuration(now.getTime() - t);
}

/** Run time so far: started → ended, or → now while still running. */
export function runTime(startedAt: string | null | undefined, endedAt: string | null | undefined, now: Date): string {
  if (!startedAt) return NONE;
  const end = endedAt ? Date.parse(endedAt) : now.getTime();
  return formatDuration(end - Date.parse(startedAt));
}

const show = (v: unknown): string => (v === null || v === undefined || v === '' ? NONE : String(v));

/** Rounds away float noise such as 7.199999999 left by `capacity - used` on fractional CPUs. */
const num = (n: number) => String(Math.round(n * 100) / 100);

// ---------------------------------------------------------------- jobs

/** `key=value,key=value`, or `-` without tags. */
export function formatTags(tags: readonly { key: string; value: string }[] | undefined): string {
  return tags?.length ? tags.map((t) => (t.value === '' ? t.key : `${t.key}=${t.value}`)).join(',') : NONE;
}

/** `yard jobs`; `wide` (`-o wide`) adds project, experiment, tags and description. */
export function formatJobsTable(page: JobPage, now: Date, opts: { wide?: boolean } = {}): string {
  if (page.items.length === 0) return page.total > 0 ? `No jobs at offset ${page.offset} (${page.total} in all).\n` : 'No jobs.\n';
  const rows = page.items.map((j) => [
    j.id,
    j.name,
    j.state,
    show(j.priority),
    show(j.nodeCount),
    show(j.attempt),
    formatAge(j.createdAt, now),
    runTime(j.startedAt, j.endedAt, now),
    ...(opts.wide ? [show(j.project), show(j.experiment), formatTags(j.tags), firstLine(j.description ?? '') || NONE] : []),
  ]);
  const headers = ['ID', 'NAME', 'STATE', 'PRIORITY', 'NODES', 'ATTEMPT', 'AGE', 'RUN TIME', ...(opts.wide ? ['PROJECT', 'EXPERIMENT', 'TAGS', 'DESCRIPTION'] : [])];
  const table = renderTable(headers, rows);
  const shown = page.items.length;
  const more = page.total > page.offset + shown || page.offset > 0;
  return more ? `${table}Showing ${page.offset + 1}–${page.offset + shown} of ${page.total}.\n` : table;
}

export function formatJobDescription(job: JobView, now: Date): string {
  const spec = job.spec;
  const resource = spec?.spec?.resource;
  const flavor = resource?.flavor;
  const algorithm = spec?.algorithm;
  const fields: [string, string][] = [
    ['ID', show(job.id)],
    ['Name', show(job.name)],
    ['Description', show(job.description)],
    ['Project', show(job.project ?? job.spec?.metadata?.project)],
    ['Experiment', show(job.experiment ?? job.spec?.metadata?.experiment)],
    ['Tags', formatTags(job.tags ?? job.spec?.metadata?.tags)],
    ['State', job.stateZh ? `${job.state} (${job.stateZh})` : show(job.state)],
    ['Reason', show(job.reason)],
    ...(job.waitReason ? ([['Waiting', describeWaitReason(job.waitReason)]] as [string, string][]) : []),
    ...(job.requeue ? ([['Re-queued', `after ${job.requeue} (first priority)`]] as [string, string][]) : []),
    ...(job.preemptedBy ? ([['Preempted by', job.preemptedBy]] as [string, string][]) : []),
    ['Priority', show(job.priority)],
    ['Attempt', `${show(job.attempt)}${job.dispatched ? '' : ' (not dispatched)'}`],
    ['Created', `${formatTime(job.createdAt)}${job.createdBy ? ` by ${job.createdBy}` : ''}`],
    ['Started', formatTime(job.startedAt)],
    ['Ended', formatTime(job.endedAt)],
    ['Run time', runTime(job.startedAt, job.endedAt, now)],
    ['Pool', show(resource?.pool)],
    ['Nodes', show(job.nodeCount ?? resource?.nodeCount)],
    ['Flavor', flavor ? `${resource?.flavorId ? `${resource.flavorId}: ` : ''}${formatFlavor(flavor)}` : show(resource?.flavorId)],
    ['Runtime', show(spec?.spec?.runtime)],
    ['Launch', show(algorithm?.launchMethod)],
    ['Command', show(algorithm?.command ?? (algorithm?.bootFile && `${algorithm.engine?.name ?? ''} ${algorithm.bootFile}`.trim()))],
    ['Code dir', show(algorithm?.codeDir)],
    ['Image', show(algorithm?.image)],
  ];
  const labelWidth = Math.max(...fields.map(([k]) => k.length)) + 1;
  const head = fields.map(([k, v]) => `${`${k}:`.padEnd(labelWidth)} ${v}`).join('\n');
  const tasks = job.tasks?.length ? formatTasksTable(job.tasks) : 'No tasks.\n';
  return `${head}\n\nTasks:\n${tasks}`;
}

export function formatFlavor(f: { cpu: number; memoryMiB: number; gpu?: number; npu?: number; acceleratorType?: string }): string {
  const parts = [`${num(f.cpu)} CPU`, `${f.memoryMiB} MiB`];
  if (f.gpu) parts.push(`${f.gpu} GPU`);
  if (f.npu) parts.push(`${f.npu} NPU`);
  if (f.acceleratorType) parts.push(f.acceleratorType);
  return parts.join(', ');
}

export function formatTasksTable(tasks: readonly TaskView[]): string {
  const rows = [...tasks]
    .sort((a, b) => a.index - b.index)
    .map((t) => [
      t.name,
      t.state,
      show(t.nodeId),
      show(t.attempt),
      show(t.procStartCount),
      show(t.exitCode ?? t.signal),
      formatTime(t.startedAt),
      formatTime(t.endedAt),
    ]);
  return renderTable(['TASK', 'STATE', 'NODE', 'ATTEMPT', 'STARTS', 'EXIT', 'STARTED', 'ENDED'], rows);
}

// ---------------------------------------------------------------- events

export function formatEventsTable(events: readonly JobEventView[], opts: { zh: boolean }): string {
  if (events.length === 0) return 'No events.\n';
  const rows = [...events]
    .sort((a, b) => a.seq - b.seq || a.idx - b.idx)
    .map((e) => [formatTime(e.time), e.type, show(e.task), (opts.zh && e.messageZh) || e.message]);
  return renderTable(['TIME', 'TYPE', 'TASK', 'MESSAGE'], rows);
}

/** `yard events --all`: every event with its sequence and what it is about (a job or a node). */
export function formatClusterEventsTable(events: readonly ClusterEventView[], opts: { zh: boolean }): string {
  if (events.length === 0) return 'No events.\n';
  return renderTable(['SEQ', 'TIME', 'TYPE', 'ABOUT', 'MESSAGE'], events.map((e) => clusterEventRow(e, opts)));
}

/** One followed event as a tab-separated line (a table cannot be laid out before the end); null: the header. */
export function formatClusterEvent(e: ClusterEventView | null, opts: { zh: boolean }): string {
  return `${(e ? clusterEventRow(e, opts) : ['SEQ', 'TIME', 'TYPE', 'ABOUT', 'MESSAGE']).join('\t')}\n`;
}

function clusterEventRow(e: ClusterEventView, opts: { zh: boolean }): string[] {
  const about = `${e.aggregate.kind} ${e.aggregate.id}${e.task ? `/${e.task}` : ''}`;
  return [e.id, formatTime(e.time), e.type, about, ((opts.zh && e.messageZh) || e.message).replace(/\s+/g, ' ')];
}

// ---------------------------------------------------------------- logs

/** One log line as the task wrote it; the API's `text` carries no line break, but tolerate one. */
export function formatLogLine(line: LogLine): string {
  return line.text.endsWith('\n') ? line.text : `${line.text}\n`;
}

/** Marks the point where a followed log moves on to a new attempt of the task (after a restart). */
export function formatAttemptBanner(task: string, attempt: number): string {
  return `--- ${task} attempt ${attempt} ---\n`;
}

// ---------------------------------------------------------------- nodes

export function freeResources(n: Pick<NodeView, 'capacity' | 'used'>): Resources {
  const used: Partial<Resources> = n.used ?? {};
  const free = (k: keyof Resources) => (n.capacity?.[k] ?? 0) - (used[k] ?? 0);
  return { cpu: free('cpu'), memoryMiB: free('memoryMiB'), gpu: free('gpu'), npu: free('npu') };
}

/** `yard nodes`; `wide` (`-o wide`) adds availability (suspect, isolated, draining) and why, and used resources. */
export function formatNodesTable(nodes: readonly NodeView[], now: Date, opts: { wide?: boolean } = {}): string {
  if (nodes.length === 0) return 'No nodes registered.\n';
  const rows = nodes.map((n) => {
    const free = freeResources(n);
    const of = (k: keyof Resources) => `${num(free[k])}/${num(n.capacity?.[k] ?? 0)}`;
    const labels = Object.entries(n.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const wide = opts.wide
      ? [n.availability ?? 'in service', n.isolation ? `${n.isolation.reason} by ${n.isolation.by}` : NONE, `${num(n.used?.cpu ?? 0)} CPU, ${num(n.used?.memoryMiB ?? 0)} MiB, ${num(n.used?.gpu ?? 0)} GPU, ${num(n.used?.npu ?? 0)} NPU`]
      : [];
    return [n.id, n.host, n.pool, n.status, of('cpu'), of('memoryMiB'), of('gpu'), of('npu'), formatAge(n.lastHeartbeat, now), ...wide, labels || NONE];
  });
  const wideHeaders = opts.wide ? ['AVAILABILITY', 'ISOLATION', 'USED'] : [];
  return renderTable(['ID', 'HOST', 'POOL', 'STATUS', 'CPU FREE', 'MEM FREE (MiB)', 'GPU FREE', 'NPU FREE', 'HEARTBEAT', ...wideHeaders, 'LABELS'], rows);
}

// ---------------------------------------------------------------- pools

export function formatPoolsTable(pools: readonly PoolView[]): string {
  if (pools.length === 0) return 'No pools (no node registered yet).\n';
  const rows = pools.map((p) => {
    const of = (k: keyof Resources) => `${num(p.free?.[k] ?? 0)}/${num(p.capacity?.[k] ?? 0)}`;
    const used = (k: keyof Resources) => num(p.used?.[k] ?? 0);
    const supernodes = Object.entries(p.supernodes ?? {}).map(([sn, ids]) => `${sn}(${ids.length})`).join(',');
    return [p.name, `${p.readyNodes ?? '-'}/${p.nodes?.length ?? 0}`, of('cpu'), used('cpu'), of('memoryMiB'), of('gpu'), of('npu'), supernodes || NONE];
  });
  return renderTable(['POOL', 'READY/NODES', 'CPU FREE', 'CPU USED', 'MEM FREE (MiB)', 'GPU FREE', 'NPU FREE', 'SUPERNODES'], rows);
}

// ---------------------------------------------------------------- admin

export function formatVerifyResult(result: VerifyResult): string {
  const degraded = formatDegraded(result);
  if (result.equal) return `Projections verified: a rebuild from the event log equals the live tables.\n${degraded}`;
  const diffs = result.differences ?? [];
  const lines = diffs.map((d) => `  - ${typeof d === 'string' ? d : JSON.stringify(d)}`);
  return `Projections differ from a rebuild from the event log (${diffs.length} difference${diffs.length === 1 ? '' : 's'}):\n${lines.join('\n')}${lines.length ? '\n' : ''}${degraded}`;
}

/** The degraded part of `yard admin rebuild --verify`: what the read models lack. */
function formatDegraded(result: Pick<VerifyResult, 'quarantine' | 'quarantined'>): string {
  const q = result.quarantine;
  if (!q?.count) return '';
  const latest = q.latest ? ` Latest: ${q.latest.id} ${q.latest.stream}:${q.latest.seq} (${q.latest.subject}) by ${q.latest.consumer}: ${q.latest.code} ${firstLine(q.latest.message)}.` : '';
  const commits = result.quarantined?.length ? ` The read models lack commit(s) ${result.quarantined.join(', ')}, and so does the rebuild.` : '';
  return `Degraded: ${q.count} message(s) quarantined.${commits}${latest} See yard admin quarantine.\n`;
}

/** A message on one line, cut at a readable length. */
export function firstLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}
