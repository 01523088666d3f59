import { counter, gauge, histogram, WAIT_BUCKETS } from '@trainyard/telemetry';
import { dashboardFigures, RECOVERY_ACTIONS } from '../dashboard/dashboard-figures';
import type { ApiMetricsPort } from './api-metrics-port';

const JOB_STATES = ['creating', 'waiting', 'running', 'terminating', 'terminated', 'completed', 'failed', 'abnormal', 'deleting', 'deleted'];
const EPOCH = new Date(0);

/**
 * The control plane's own metrics, computed from the read models and JetStream when Prometheus
 * scrapes (at most once per `cacheMs`), so every API replica reports the same numbers and a restart
 * loses nothing:
 *
 * - `trainyard_jobs{state}`; `trainyard_queue_depth{priority}`, `trainyard_queue_oldest_wait_seconds{priority}`;
 * - `trainyard_queue_wait_seconds{priority}`: every dispatch's wait from `JobQueued` to `JobScheduled`;
 * - `trainyard_recoveries_total{strategy,outcome}` (from `RecoveryDecided`; 0 until the fault manager decides one);
 * - `trainyard_consumer_pending_messages{stream,consumer}`, `trainyard_projection_lag_commits`, `trainyard_log_router_lag_messages`;
 * - `trainyard_dead_letters{consumer}`: messages quarantined and not yet retried or dismissed (alert on > 0).
 *
 * Scheduling decision latency and event-log append latency are measured where they happen
 * (`trainyard_scheduler_pass_seconds`, `trainyard_event_log_append_seconds`), and so is every
 * quarantine (`trainyard_dead_letters_total{consumer,code}`, libs/quarantine).
 */
export function registerControlPlaneMetrics(port: ApiMetricsPort, opts: { cacheMs?: number; now?: () => number } = {}): void {
  const now = opts.now ?? Date.now;
  const cacheMs = opts.cacheMs ?? 5000;
  let cached: { at: number; value: Promise<Snapshot> } | undefined;
  const snapshot = () => {
    if (!cached || now() - cached.at > cacheMs) {
      cached = { at: now(), value: load(port).catch((err) => ((cached = undefined), Promise.reject(err))) };
    }
    return cached.value;
  };

  const jobs = gauge('trainyard_jobs', 'Training jobs per state', ['state']);
  const depth = gauge('trainyard_queue_depth', 'Jobs waiting for placement (not yet dispatched), per priority', ['priority']);
  const oldest = gauge('trainyard_queue_oldest_wait_seconds', 'How long the longest-waiting job of each priority has waited', ['priority']);
  const waits = histogram('trainyard_queue_wait_seconds', 'Queue wait of every dispatch, JobQueued to JobScheduled', ['priority'], WAIT_BUCKETS);
  const recoveries = counter('trainyard_recoveries_total', 'Fault recoveries by strategy and outcome', ['strategy', 'outcome']);
  const pending = gauge('trainyard_consumer_pending_messages', 'Messages a durable JetStream consumer has not yet acknowledged', ['stream', 'consumer']);
  const projectionLag = gauge('trainyard_projection_lag_commits', 'Commits of TY_EVENTS not yet applied to the read models');
  const routerLag = gauge('trainyard_log_router_lag_messages', 'TY_LOGS messages not yet stored by the log router');
  const deadLetters = gauge('trainyard_dead_letters', 'Messages quarantined as dead letters and not yet retried or dismissed', ['consumer']);

  const collect = (fill: (s: Snapshot) => void) => async () => fill(await snapshot());
  assign(jobs, collect((s) => {
    jobs.reset();
    for (const state of JOB_STATES) jobs.set({ state }, s.gauges.byState[state] ?? 0);
  }));
  assign(depth, collect((s) => {
    depth.reset();
    oldest.reset();
    for (const p of [1, 2, 3]) {
      const q = s.gauges.queue.find((x) => x.priority === p);
      depth.set({ priority: String(p) }, q?.depth ?? 0);
      oldest.set({ priority: String(p) }, q ? Math.max(0, (now() - Date.parse(q.oldestSince)) / 1000) : 0);
    }
  }));
  assign(oldest, async () => void (await snapshot()));
  assign(waits, collect((s) => {
    waits.reset();
    for (const w of s.waits) waits.observe({ priority: String(w.priority) }, w.seconds);
  }));
  assign(recoveries, collect((s) => {
    recoveries.reset();
    for (const strategy of RECOVERY_ACTIONS) for (const outcome of ['succeeded', 'failed']) recoveries.inc({ strategy, outcome }, 0);
    for (const [strategy, n] of Object.entries(s.recoveries)) {
      recoveries.inc({ strategy, outcome: 'succeeded' }, n.succeeded);
      recoveries.inc({ strategy, outcome: 'failed' }, n.failed);
    }
  }));
  assign(pending, collect((s) => {
    pending.reset();
    for (const c of s.lag.consumers) pending.set({ stream: c.stream, consumer: c.consumer }, c.pending);
    projectionLag.set(s.lag.projection);
    routerLag.set(s.lag.logRouter);
  }));
  assign(deadLetters, collect((s) => {
    deadLetters.reset();
    for (const d of s.deadLetters) deadLetters.set({ consumer: d.consumer }, d.count);
  }));
  assign(projectionLag, async () => void (await snapshot()));
  assign(routerLag, async () => void (await snapshot()));
}

interface Snapshot {
  gauges: Awaited<ReturnType<ApiMetricsPort['jobGauges']>>;
  waits: Awaited<ReturnType<ApiMetricsPort['queueWaits']>>;
  recoveries: Record<string, { succeeded: number; failed: number }>;
  lag: Awaited<ReturnType<ApiMetricsPort['lag']>>;
  deadLetters: Awaited<ReturnType<ApiMetricsPort['deadLetters']>>;
}

async function load(port: ApiMetricsPort): Promise<Snapshot> {
  const [gauges, waits, events, lag, deadLetters] = await Promise.all([
    port.jobGauges(),
    port.queueWaits(),
    port.dashboardEvents({ from: EPOCH, to: new Date(8.64e15) }),
    port.lag(),
    port.deadLetters(),
  ]);
  return { gauges, waits, recoveries: dashboardFigures(events).recoveries.byStrategy, lag, deadLetters };
}

/** prom-client calls a metric's `collect` before reading it. */
function assign(metric: object, collect: () => Promise<void>): void {
  // A database or NATS hiccup leaves the last values in place rather than failing the whole scrape.
  (metric as { collect?: () => Promise<void> }).collect = () => collect().catch(() => undefined);
}
