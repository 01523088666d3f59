import { InMemoryEventLog } from '@trainyard/event-log';
import { event, Subjects } from '@trainyard/contracts';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { ContainerMetricsView } from './container-metrics';
import { instrumentEventLog } from './event-log-metrics';
import { metricsText, registry } from './metric';
import { startMetricsServer } from './metrics-server';
import { inSpan, startSpan, traceparentOf } from './trace-context';
import { startTracing } from './tracing';

const exporter = new InMemorySpanExporter();
const tracing = startTracing({ serviceName: 'test', exporter, env: {} })!;
afterAll(() => tracing.shutdown());

describe('telemetry', () => {
  it('container metrics - the latest sample of each task, under the guide ids, until it goes stale', async () => {
    let now = Date.parse('2026-03-13T10:00:05Z');
    const view = new ContainerMetricsView(() => now);
    view.apply({
      nodeId: 'n1', time: '2026-03-13T10:00:00Z', intervalMs: 10_000,
      tasks: [{ jobId: 'j1', task: 'worker-0', attempt: 1, values: { ma_container_cpu_util: 87.5, ma_container_memory_used_meg: 812 } }],
    });
    view.apply({ nodeId: 'n1', time: '2026-03-13T09:59:50Z', intervalMs: 10_000, tasks: [{ jobId: 'j1', task: 'worker-0', attempt: 1, values: { ma_container_cpu_util: 1 } }] });
    const { body } = await metricsText();
    expect(body).toContain('# HELP ma_container_cpu_util CPU usage of the task (of its requested cores), 0-100 (Percent)');
    expect(body).toContain('ma_container_cpu_util{job_id="j1",task="worker-0",node_id="n1"} 87.5');
    expect(body).toContain('ma_container_memory_used_meg{job_id="j1",task="worker-0",node_id="n1"} 812');
    now += 60_000;
    expect((await metricsText()).body).not.toContain('ma_container_cpu_util{job_id="j1"');
  });

  it('event log metrics - appends are timed by service and outcome', async () => {
    const log = instrumentEventLog(new InMemoryEventLog(), 'tester');
    const meta = { commandId: 'c1', correlationId: 'c1', actor: 'test' };
    await log.append(Subjects.job('j1'), [event('JobQueued', '2026-03-13T10:00:00Z', { priority: 1 })], meta, 0);
    await expect(log.append(Subjects.job('j1'), [event('JobQueued', '2026-03-13T10:00:00Z', { priority: 1 })], { ...meta, commandId: 'c2' }, 0)).rejects.toThrow();
    const text = await registry.getSingleMetricAsString('trainyard_event_log_append_seconds');
    expect(text).toContain('trainyard_event_log_append_seconds_count{service="tester",outcome="ok"} 1');
    expect(text).toContain('trainyard_event_log_append_seconds_count{service="tester",outcome="conflict"} 1');
  });

  it('metrics server - serves /metrics and 404 elsewhere', async () => {
    const s = await startMetricsServer({ host: '127.0.0.1', port: 0 });
    const r = await fetch(s.url);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('ma_container_cpu_util');
    expect((await fetch(s.url.replace('/metrics', '/nope'))).status).toBe(404);
    expect(await (await fetch(s.url.replace('/metrics', '/healthz'))).json()).toEqual({ status: 'ok', reasons: [] });
    await s.close();
  });

  it('metrics server - /healthz says degraded with the reasons its check names, still 200 (a probe must not restart it)', async () => {
    let reasons = ['NATS disconnected, reconnecting'];
    const s = await startMetricsServer({ host: '127.0.0.1', port: 0 }, () => ({ reasons }));
    const health = s.url.replace('/metrics', '/healthz');
    const r = await fetch(health);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'degraded', reasons: ['NATS disconnected, reconnecting'] });
    reasons = [];
    expect(await (await fetch(health)).json()).toEqual({ status: 'ok', reasons: [] });
    await s.close();
  });

  it('trace context - a span started under a traceparent is its child in the same trace', async () => {
    const root = startSpan('t', 'root', undefined);
    const child = await inSpan('t', 'child', root.traceparent, { k: 'v' }, async (tp) => tp);
    root.end();
    const [, traceId, rootSpanId] = root.traceparent!.split('-');
    expect(child!.split('-')[1]).toBe(traceId);
    const spans = exporter.getFinishedSpans();
    const c = spans.find((s) => s.name === 'child')!;
    expect(c.spanContext().traceId).toBe(traceId);
    expect(c.parentSpanContext?.spanId).toBe(rootSpanId);
    expect(traceparentOf({ spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }) } as never)).toBeUndefined();
  });
});
