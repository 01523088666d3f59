import type { TrainingJobSpec } from '@trainyard/contracts';
import { formatQuarantine } from './format-quarantine';
import { describe, expect, it } from 'vitest';
import type { JobEventView, JobSummary, JobView, NodeView } from '@trainyard/contracts';
import {
  displayWidth,
  formatAge,
  formatDuration,
  formatEventsTable,
  formatJobDescription,
  formatJobsTable,
  formatLogLine,
  formatNodesTable,
  formatPoolsTable,
  formatTime,
  formatVerifyResult,
  freeResources,
  renderTable,
} from './format';

const NOW = new Date('2025-03-01T12:00:00Z');

/** The value of one `Label: value` line of a description. */
const field = (out: string, label: string) => out.split('\n').find((l) => l.startsWith(`${label}:`))?.slice(label.length + 1).trim();

const summary = (over: Partial<JobSummary> = {}): JobSummary => ({
  id: 'job-1',
  name: 'hello',
  state: 'running',
  priority: 1,
  nodeCount: 2,
  attempt: 1,
  createdAt: '2025-03-01T11:55:00Z',
  startedAt: '2025-03-01T11:58:30Z',
  endedAt: null,
  updatedAt: '2025-03-01T11:58:30Z',
  ...over,
});

describe('format - helpers', () => {
  it('counts CJK characters as two columns', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('运行中')).toBe(6);
    expect(displayWidth('a训练b')).toBe(6);
  });

  it('aligns columns by display width and leaves the last column unpadded', () => {
    const out = renderTable(['A', 'B', 'C'], [['运行中', 'x', 'end'], ['ok', 'longer', '']]);
    expect(out).toBe(['A       B       C', '运行中  x       end', 'ok      longer'].join('\n') + '\n');
  });

  it('formats times in UTC and durations compactly', () => {
    expect(formatTime('2025-03-01T08:15:02.123+01:00')).toBe('2025-03-01 07:15:02');
    expect(formatTime(null)).toBe('-');
    expect(formatTime('not a time')).toBe('not a time');
    expect(formatDuration(42_900)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(2 * 3600_000 + 7 * 60_000)).toBe('2h07m');
    expect(formatDuration(3 * 86_400_000 + 4 * 3600_000)).toBe('3d04h');
    expect(formatDuration(-5)).toBe('0s');
    expect(formatAge('2025-03-01T11:59:00Z', NOW)).toBe('1m00s');
    expect(formatAge(undefined, NOW)).toBe('-');
  });
});

describe('format - jobs', () => {
  it('renders the jobs table with age and run time', () => {
    const out = formatJobsTable({ items: [summary(), summary({ id: 'job-2', name: 'done', state: 'completed', endedAt: '2025-03-01T11:59:00Z' })], total: 2, limit: 20, offset: 0 }, NOW);
    expect(out).toBe(
      [
        'ID     NAME   STATE      PRIORITY  NODES  ATTEMPT  AGE    RUN TIME',
        'job-1  hello  running    1         2      1        5m00s  1m30s',
        'job-2  done   completed  1         2      1        5m00s  30s',
      ].join('\n') + '\n',
    );
  });

  it('says which slice it shows when there are more jobs', () => {
    const out = formatJobsTable({ items: [summary()], total: 57, limit: 1, offset: 20 }, NOW);
    expect(out.trimEnd().split('\n').at(-1)).toBe('Showing 21–21 of 57.');
  });

  it('says so when there are no jobs', () => {
    expect(formatJobsTable({ items: [], total: 0, limit: 20, offset: 0 }, NOW)).toBe('No jobs.\n');
    expect(formatJobsTable({ items: [], total: 3, limit: 20, offset: 40 }, NOW)).toBe('No jobs at offset 40 (3 in all).\n');
  });

  it('describes a job with its tasks in index order', () => {
    const spec: TrainingJobSpec = {
      kind: 'job',
      metadata: { name: 'hello' },
      algorithm: { command: 'python3 train.py', codeDir: '/srv/code/hello', launchMethod: 'custom' },
      spec: { resource: { pool: 'default', flavor: { cpu: 0.5, memoryMiB: 256, gpu: 1, acceleratorType: 'nvidia-a100' }, nodeCount: 2 }, priority: 1, runtime: 'process' },
    };
    const job: JobView = {
      ...summary({ state: 'failed', endedAt: '2025-03-01T11:59:30Z', attempt: 2, project: 'vision', experiment: 'sweep', tags: [{ key: 'team', value: 'vision' }, { key: 'gold', value: '' }] }),
      description: '中文描述',
      stateZh: '运行失败',
      dispatched: true,
      reason: 'worker-1 exited with code 3',
      createdBy: 'user:alice',
      spec,
      tasks: [
        { name: 'worker-1', index: 1, state: 'failed', nodeId: 'n2', attempt: 2, exitCode: 3, signal: null, procStartCount: 1, startedAt: '2025-03-01T11:58:31Z', endedAt: '2025-03-01T11:59:29Z' },
        { name: 'worker-0', index: 0, state: 'terminated', nodeId: 'n1', attempt: 2, exitCode: null, signal: 'SIGTERM', procStartCount: 2, startedAt: '2025-03-01T11:58:31Z', endedAt: null },
      ],
    };
    const out = formatJobDescription(job, NOW);
    expect(out.split('\n').slice(0, 2)).toEqual(['ID:          job-1', 'Name:        hello']);
    expect(field(out, 'State')).toBe('failed (运行失败)');
    expect(field(out, 'Reason')).toBe('worker-1 exited with code 3');
    expect(field(out, 'Created')).toBe('2025-03-01 11:55:00 by user:alice');
    expect(field(out, 'Run time')).toBe('1m00s');
    expect(field(out, 'Flavor')).toBe('0.5 CPU, 256 MiB, 1 GPU, nvidia-a100');
    expect(field(out, 'Project')).toBe('vision');
    expect(field(out, 'Experiment')).toBe('sweep');
    expect(field(out, 'Tags')).toBe('team=vision,gold');
    expect(field(out, 'Code dir')).toBe('/srv/code/hello');
    expect(field(out, 'Image')).toBe('-');
    const tasks = out.slice(out.indexOf('Tasks:\n') + 'Tasks:\n'.length).trimEnd().split('\n');
    expect(tasks).toEqual([
      'TASK      STATE       NODE  ATTEMPT  STARTS  EXIT     STARTED              ENDED',
      'worker-0  terminated  n1    2        2       SIGTERM  2025-03-01 11:58:31  -',
      'worker-1  failed      n2    2        1       3        2025-03-01 11:58:31  2025-03-01 11:59:29',
    ]);
  });

  it('names the catalogue flavor before what it resolved to', () => {
    const spec = { kind: 'job', metadata: { name: 'h' }, algorithm: { command: 'true' }, spec: { resource: { flavorId: 'cpu.half', flavor: { cpu: 0.5, memoryMiB: 256 }, nodeCount: 1 } } } as TrainingJobSpec;
    expect(field(formatJobDescription({ ...summary(), spec } as JobView, NOW), 'Flavor')).toBe('cpu.half: 0.5 CPU, 256 MiB');
  });

  it('-o wide adds project, experiment, tags and the description on one line', () => {
    const page = { items: [summary({ project: 'vision', experiment: 'sweep', tags: [{ key: 'team', value: 'a' }, { key: 'lr', value: '0.1' }], description: 'two\nlines' }), summary({ id: 'job-2' })], total: 2, limit: 20, offset: 0 };
    const [head, first, second] = formatJobsTable(page, NOW, { wide: true }).trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(head).toEqual(['ID', 'NAME', 'STATE', 'PRIORITY', 'NODES', 'ATTEMPT', 'AGE', 'RUN TIME', 'PROJECT', 'EXPERIMENT', 'TAGS', 'DESCRIPTION']);
    expect(first.slice(8)).toEqual(['vision', 'sweep', 'team=a,lr=0.1', 'two lines']);
    expect(second.slice(8)).toEqual(['-', '-', '-', '-']);
    // The default table keeps its eight columns.
    expect(formatJobsTable(page, NOW).split('\n')[0].split(/\s{2,}/)).toHaveLength(8);
  });

  it('describes a job the API sent without spec or tasks', () => {
    const out = formatJobDescription({ ...summary({ state: 'creating', startedAt: null }) } as JobView, NOW);
    expect(field(out, 'Flavor')).toBe('-');
    expect(field(out, 'Run time')).toBe('-');
    expect(out.endsWith('Tasks:\nNo tasks.\n')).toBe(true);
  });
});

describe('format - events and logs', () => {
  const events: JobEventView[] = [
    { seq: 9, idx: 0, type: 'TaskStarted', time: '2025-03-01T11:58:31Z', task: 'worker-0', message: '[worker-0] Training job started running', messageZh: '[worker-0] 训练作业开始运行', data: {}, actor: 'node:n1' },
    { seq: 3, idx: 1, type: 'JobQueued', time: '2025-03-01T11:55:00Z', task: null, message: 'Training job queued', messageZh: '训练作业已排队，正在等待资源分配', data: {}, actor: 'user:a' },
    { seq: 3, idx: 0, type: 'JobCreated', time: '2025-03-01T11:55:00Z', task: null, message: 'Training job created successfully', messageZh: '', data: {}, actor: 'user:a' },
  ];

  it('orders events by log position and shows English by default', () => {
    expect(formatEventsTable(events, { zh: false })).toBe(
      [
        'TIME                 TYPE         TASK      MESSAGE',
        '2025-03-01 11:55:00  JobCreated   -         Training job created successfully',
        '2025-03-01 11:55:00  JobQueued    -         Training job queued',
        '2025-03-01 11:58:31  TaskStarted  worker-0  [worker-0] Training job started running',
      ].join('\n') + '\n',
    );
  });

  it('shows the Chinese text with --zh, falling back to English where there is none', () => {
    const rows = formatEventsTable(events, { zh: true }).trimEnd().split('\n');
    expect(rows[1]).toMatch(/Training job created successfully$/);
    expect(rows[2]).toMatch(/训练作业已排队，正在等待资源分配$/);
    expect(rows[3]).toMatch(/\[worker-0\] 训练作业开始运行$/);
  });

  it('says so when there are no events', () => {
    expect(formatEventsTable([], { zh: false })).toBe('No events.\n');
  });

  it('prints a log line with exactly one line break', () => {
    const line = { attempt: 1, seq: 1, ts: 't', stream: 'stdout' };
    expect(formatLogLine({ ...line, text: 'loss=0.1' })).toBe('loss=0.1\n');
    expect(formatLogLine({ ...line, text: 'loss=0.1\n' })).toBe('loss=0.1\n');
  });
});

describe('format - nodes and admin', () => {
  const node: NodeView = {
    id: 'n1',
    host: '10.0.0.1',
    pool: 'default',
    capacity: { cpu: 8, memoryMiB: 32768, gpu: 2, npu: 0 },
    used: { cpu: 0.8, memoryMiB: 1024, gpu: 1, npu: 0 },
    labels: { zone: 'a', rack: 'r1' },
    status: 'ready',
    lastHeartbeat: '2025-03-01T11:59:58Z',
  };

  it('computes free = capacity - used without float noise', () => {
    expect(freeResources(node)).toEqual({ cpu: 7.2, memoryMiB: 31744, gpu: 1, npu: 0 });
    expect(formatNodesTable([node], NOW)).toBe(
      [
        'ID  HOST      POOL     STATUS  CPU FREE  MEM FREE (MiB)  GPU FREE  NPU FREE  HEARTBEAT  LABELS',
        'n1  10.0.0.1  default  ready   7.2/8     31744/32768     1/2       0/0       2s         zone=a,rack=r1',
      ].join('\n') + '\n',
    );
  });

  it('-o wide adds availability, the isolation and what is used, before the labels', () => {
    const isolated = { ...node, availability: 'isolated' as const, isolation: { reason: 'operator', by: 'user:ops', since: '2025-03-01T11:00:00Z' } };
    const [head, row] = formatNodesTable([isolated], NOW, { wide: true }).trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(head.slice(9)).toEqual(['AVAILABILITY', 'ISOLATION', 'USED', 'LABELS']);
    expect(row.slice(9)).toEqual(['isolated', 'operator by user:ops', '0.8 CPU, 1024 MiB, 1 GPU, 0 NPU', 'zone=a,rack=r1']);
    expect(formatNodesTable([node], NOW, { wide: true }).split('\n')[1].split(/\s{2,}/)[9]).toBe('in service');
  });

  it('treats missing usage as nothing used', () => {
    expect(freeResources({ capacity: node.capacity } as NodeView)).toEqual({ cpu: 8, memoryMiB: 32768, gpu: 2, npu: 0 });
  });

  it('says so when no node is registered', () => {
    expect(formatNodesTable([], NOW)).toBe('No nodes registered.\n');
  });

  it('says a verified rebuild is degraded while dead letters are open, naming the latest', () => {
    const latest = {
      id: 'db:3', consumer: 'projection:read-models', stream: 'TY_EVENTS', seq: 42, subject: 'ty.ev.job.j1', code: '22P05',
      message: 'unsupported Unicode\nescape sequence', attempts: 3, firstFailedAt: '2026-03-01T08:00:00.000Z', quarantinedAt: '2026-03-01T08:00:01.000Z',
      state: 'quarantined' as const, resolvedAt: null, payloadBytes: 0, retryable: true,
    };
    expect(formatVerifyResult({ equal: true, differences: [], quarantined: [42], degraded: true, quarantine: { count: 1, latest } })).toBe(
      'Projections verified: a rebuild from the event log equals the live tables.\n' +
        'Degraded: 1 message(s) quarantined. The read models lack commit(s) 42, and so does the rebuild. ' +
        'Latest: db:3 TY_EVENTS:42 (ty.ev.job.j1) by projection:read-models: 22P05 unsupported Unicode escape sequence. See yard admin quarantine.\n',
    );
    const table = formatQuarantine([latest, { ...latest, id: 'js:1', consumer: 'node-agent.n1', state: 'dismissed', retryable: false }]);
    expect(table.split('\n')[0]).toMatch(/^ID +STATE +QUARANTINED +CONSUMER +MESSAGE +SUBJECT +TRIES +CODE +ERROR$/);
    expect(table).toContain('db:3  quarantined  2026-03-01 08:00:01  projection:read-models  TY_EVENTS:42  ty.ev.job.j1  3      22P05  unsupported Unicode escape sequence');
    expect(table).toMatch(/yard admin quarantine retry ID/);
    expect(formatQuarantine([])).toBe('No quarantined messages.\n');
  });

  it('prints every projection difference', () => {
    expect(formatVerifyResult({ equal: true, differences: [] })).toMatch(/^Projections verified/);
    expect(formatVerifyResult({ equal: false, differences: [{ table: 'jobs', key: 'job-1', column: 'state' }, 'tasks: 1 extra row'] })).toBe(
      'Projections differ from a rebuild from the event log (2 differences):\n' +
        '  - {"table":"jobs","key":"job-1","column":"state"}\n' +
        '  - tasks: 1 extra row\n',
    );
  });
});

describe('format - scheduling', () => {
  it('describe shows why a job waits, with the numbers, and a re-queue', () => {
    const job = {
      ...summary({ state: 'waiting', startedAt: null }),
      waitReason: { code: 'INSUFFICIENT_RESOURCES', position: 2, deficit: { gpu: 4 }, unplacedInstances: 1 },
      requeue: 'preemption',
      preemptedBy: 'job-9',
    } as JobView;
    const out = formatJobDescription(job, NOW);
    expect(field(out, 'Waiting')).toBe('INSUFFICIENT_RESOURCES (position 2; short of gpu 4; 1 instance(s) without room)');
    expect(field(out, 'Re-queued')).toBe('after preemption (first priority)');
    expect(field(out, 'Preempted by')).toBe('job-9');
  });

  it('pools table: ready/all nodes, free/total, used, supernodes', () => {
    const r = (cpu: number, gpu = 0) => ({ cpu, memoryMiB: 1024 * cpu, gpu, npu: 0 });
    const out = formatPoolsTable([
      { name: 'gpu', nodes: ['a', 'b'], readyNodes: 1, capacity: r(8, 2), used: r(1.5, 1), free: r(6.5, 1), supernodes: { 'sn-1': ['a', 'b'] } },
      { name: 'default', nodes: ['c'], readyNodes: 1, capacity: r(2), used: r(0), free: r(2), supernodes: {} },
    ]);
    expect(out.trimEnd().split('\n')).toEqual([
      'POOL     READY/NODES  CPU FREE  CPU USED  MEM FREE (MiB)  GPU FREE  NPU FREE  SUPERNODES',
      'gpu      1/2          6.5/8     1.5       6656/8192       1/2       0/0       sn-1(2)',
      'default  1/1          2/2       0         2048/2048       0/0       0/0       -',
    ]);
    expect(formatPoolsTable([])).toBe('No pools (no node registered yet).\n');
  });
});
