// Public surface of @trainyard/telemetry: Prometheus metrics (one registry per process) and
// OpenTelemetry tracing with W3C context carried in NATS headers and commit meta (decision 11).
export { counter, gauge, histogram, metricsText, registry, LATENCY_BUCKETS, WAIT_BUCKETS } from './metric';
export { natsHealth, serveMetricsFromEnv, startMetricsServer, type HealthCheck, type MetricsServer } from './metrics-server';
export { logRouterMetrics, logShipperMetrics } from './log-metrics';
export { deadLetterMetrics } from './dead-letter-metrics';
export { eventLogAppendSeconds, instrumentEventLog } from './event-log-metrics';
export { ContainerMetricsView } from './container-metrics';
export { startTracing, type Tracing, type TracingOptions } from './tracing';
export { contextOf, inSpan, SpanKind, startSpan, traceHeaders, traceparentOf, type SpanHandle } from './trace-context';
