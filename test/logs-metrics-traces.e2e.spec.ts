import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { CONTAINER_METRIC_IDS } from '@trainyard/contracts';
import { startTracing } from '@trainyard/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_FAULTS } from './support/fault-injection';
import { shellJob } from './support/specs';
import { eventually } from './support/eventually';
import { samples } from './support/prometheus';
import { startTestCluster, type TestCluster } from './support/test-cluster';

// Every span of this file's clusters, in memory (the services are in this process).
const spans = new InMemorySpanExporter();
const tracing = startTracing({ serviceName: 'trainyard-e2e', exporter: spans, env: {} })!;




describe('telemetry - the guide container metrics, control-plane metrics, the dashboard and one trace per job', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster({ resourceSampleMs: 300, faultManager: FAST_FAULTS });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    await tracing.shutdown();
  });

  it('metrics - /metrics lists the guide metric ids with values for a running job, and the job has metric series', async () => {
    // Busy for a few seconds, holding some memory.
    const busy = shellJob('busy', `x=$(head -c 2000000 /dev/zero | tr '\\0' 'y'); end=$(($(date +%s)+6)); while [ $(date +%s) -lt $end ]; do :; done`);
    const { body: job } = await t.api.call('POST', '/v1/training-jobs', busy);
    await t.api.waitFor(job.id, 'running');
    const text = await eventually(async () => {
      const body = await (await fetch(`${t.api.url}/metrics`, { headers: t.api.auth })).text();
      return samples(body, 'ma_container_cpu_util', { job_id: job.id })[0] > 0 ? body : undefined;
    }, 20_000);
    for (const id of CONTAINER_METRIC_IDS) expect(text).toContain(`# HELP ${id} `);
    const cpu = samples(text, 'ma_container_cpu_util', { job_id: job.id, task: 'worker-0' });
    expect(cpu).toHaveLength(1);
    expect(cpu[0]).toBeGreaterThan(0);
    expect(samples(text, 'ma_container_memory_used_meg', { job_id: job.id })[0]).toBeGreaterThan(0);
    expect(samples(text, 'ma_container_cpu_used_core', { job_id: job.id })[0]).toBeGreaterThan(0);

    const series = await eventually(async () => {
      const r = await t.api.call('GET', `/v1/training-jobs/${job.id}/metrics?window=15m`);
      return r.body.series?.some((s: any) => s.metric === 'ma_container_cpu_util' && s.points.length >= 2) ? r.body : undefined;
    }, 20_000);
    const s = series.series.find((x: any) => x.metric === 'ma_container_memory_util');
    expect(s).toMatchObject({ unit: 'Percent', task: 'worker-0' });
    expect(Math.max(...s.points.map((p: [string, number]) => p[1]))).toBeGreaterThan(0);
    expect((await t.api.call('GET', `/v1/training-jobs/${job.id}/metrics?window=2h`)).status).toBe(400);

    // Control-plane metrics.
    expect(samples(text, 'trainyard_jobs', { state: 'running' })[0]).toBeGreaterThanOrEqual(1);
    expect(samples(text, 'trainyard_queue_depth', { priority: '1' })).toHaveLength(1);
    expect(samples(text, 'trainyard_queue_wait_seconds_count', { priority: '1' })[0]).toBeGreaterThanOrEqual(1);
    expect(samples(text, 'trainyard_recoveries_total', { strategy: 'reschedule-job', outcome: 'succeeded' })).toHaveLength(1);
    expect(samples(text, 'trainyard_projection_lag_commits')).toHaveLength(1);
    expect(samples(text, 'trainyard_log_router_lag_messages')).toHaveLength(1);
    expect(samples(text, 'trainyard_consumer_pending_messages', { consumer: 'agent-node-1' })).toHaveLength(1);
    expect(samples(text, 'trainyard_log_lines_stored_total').length + samples(text, 'trainyard_log_lines_shipped_total').length).toBeGreaterThan(0);
    await t.api.waitFor(job.id, 'completed', 30_000);
  });

  it('dashboard - the figures match a hand count over the events of the run', async () => {
    const ok = shellJob('ok', 'echo fine');
    const bad = shellJob('bad', 'exit 3');
    const guarded = shellJob('guarded', 'echo fine');
    guarded.metadata.annotations = { 'fault-tolerance/job-retry-num': '2' };
    // Fails on its first placement, succeeds once rescheduled: one recovery that succeeds.
    const healed = shellJob('healed', '[ "$MA_SCHEDULE_CNT" = 1 ] && exit 1; echo recovered');
    healed.metadata.annotations = { 'fault-tolerance/job-retry-num': '2', 'fault-tolerance/job-unconditional-retry': 'true' };
    const ids: string[] = [];
    for (const spec of [ok, bad, guarded, healed]) ids.push((await t.api.call('POST', '/v1/training-jobs', spec)).body.id);
    await t.api.waitFor(ids[0], 'completed');
    await eventually(async () => ((await t.api.call('GET', `/v1/training-jobs/${ids[1]}`)).body.state === 'failed' ? true : undefined), 30_000);
    await t.api.waitFor(ids[2], 'completed');
    await t.api.waitFor(ids[3], 'completed', 60_000);

    const dash = (await t.api.call('GET', '/v1/dashboard')).body;
    // Hand count over every job of this run, from its own event history.
    const list = (await t.api.call('GET', '/v1/training-jobs?limit=500')).body.items as any[];
    let total = 0, succeeded = 0, failed = 0, enabled = 0, decided = 0, healedByHand = 0;
    for (const j of list) {
      const events = (await t.api.call('GET', `/v1/training-jobs/${j.id}/events`)).body.items as any[];
      const types = events.map((e) => e.type);
      if (!types.includes('JobCreated')) continue;
      total++;
      if (types.includes('JobSucceeded')) succeeded++;
      if (types.includes('JobFailed') || types.includes('JobAbnormal')) failed++;
      if (events[0].data.spec.metadata.annotations?.['fault-tolerance/job-retry-num']) enabled++;
      events.forEach((e, i) => {
        if (e.type !== 'RecoveryDecided' || e.data.action === 'fail' || e.data.action === 'none') return;
        decided++;
        // Succeeded: the job runs again before it ends or another decision comes.
        const next = events.slice(i + 1).find((x) => ['JobStarted', 'TaskStarted', 'JobFailed', 'JobAbnormal', 'JobTerminated', 'RecoveryDecided'].includes(x.type));
        if (next && (next.type === 'JobStarted' || next.type === 'TaskStarted')) healedByHand++;
      });
    }
    expect(dash.jobs).toEqual({ total, succeeded, failed, recoveryEnabled: enabled });
    expect(dash.successRate).toBeCloseTo(succeeded / total);
    expect(dash.failureRate).toBeCloseTo(failed / total);
    expect(dash.recoveryEnabledRate).toBeCloseTo(enabled / total);
    expect(dash.recoveries.succeeded + dash.recoveries.failed + dash.recoveries.inProgress).toBe(decided);
    expect(dash.recoveries.succeeded).toBe(healedByHand);
    expect(dash.recoveries.byStrategy['reschedule-job'].succeeded).toBeGreaterThanOrEqual(1);
    expect(dash.recoverySuccessRate).toBeCloseTo(healedByHand / (dash.recoveries.succeeded + dash.recoveries.failed));
    expect(dash.recoveryTimeSeconds.max).toBeGreaterThan(0);
    const metrics = await (await fetch(`${t.api.url}/metrics`, { headers: t.api.auth })).text();
    expect(samples(metrics, 'trainyard_recoveries_total', { strategy: 'reschedule-job', outcome: 'succeeded' })[0]).toBeGreaterThanOrEqual(1);
    expect(total).toBeGreaterThanOrEqual(4);
    expect(enabled).toBeGreaterThanOrEqual(1);

    const none = (await t.api.call('GET', '/v1/dashboard?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z')).body;
    expect(none).toMatchObject({ jobs: { total: 0 }, successRate: null });
  });

  it('traces - one job submission is one trace: api → scheduler → node agent → task start', async () => {
    const { body: job } = await t.api.call('POST', '/v1/training-jobs', shellJob('traced', 'echo hi'));
    await t.api.waitFor(job.id, 'completed');
    await eventually(async () => (spans.getFinishedSpans().some((s) => s.name === 'task started' && s.attributes['trainyard.task'] === 'worker-0') ? true : undefined), 20_000);
    const root = spans.getFinishedSpans().find((s) => s.name === 'POST /v1/training-jobs' && s.attributes['trainyard.job_id'] === job.id)!;
    expect(root).toBeDefined();
    const traceId = root.spanContext().traceId;
    const trace = spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const names = trace.map((s) => `${s.instrumentationScope.name}: ${s.name}`);
    expect(names).toEqual(expect.arrayContaining([
      'trainyard.api: POST /v1/training-jobs',
      'trainyard.scheduler: scheduler submit',
      'trainyard.scheduler: scheduler ScheduleJob',
      'trainyard.scheduler: scheduler node work',
      'trainyard.node-agent: launch task',
      'trainyard.node-agent: task started',
    ]));
    // Every span but the root hangs under another span of the same trace.
    const ids = new Set(trace.map((s) => s.spanContext().spanId));
    for (const s of trace) if (s !== root) expect(ids.has(s.parentSpanContext!.spanId)).toBe(true);
    // And no other job's spans are in it.
    expect(trace.every((s) => !s.attributes['trainyard.job_id'] || s.attributes['trainyard.job_id'] === job.id)).toBe(true);
  });
});
