import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  /** `service.name` of the spans (`trainyard-api`, or `trainyard` for the all-in-one). */
  serviceName: string;
  /** Export here instead of OTLP (tests: an `InMemorySpanExporter`), one span at a time. */
  exporter?: SpanExporter;
  env?: Record<string, string | undefined>;
}

export interface Tracing {
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Turns tracing on for this process (decision 11): spans go over OTLP/HTTP when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, or to `exporter`.
 * Without either it does nothing: the API's tracer stays a no-op, and trace context still passes
 * through services unchanged (`traceparent` in NATS headers and commit meta). Call once, first thing.
 *
 * @example
 * OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 node dist/apps/api/src/main.js
 */
export function startTracing(opts: TracingOptions): Tracing | undefined {
  const env = opts.env ?? process.env;
  const otlp = env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const processors: SpanProcessor[] = [];
  if (opts.exporter) processors.push(new SimpleSpanProcessor(opts.exporter));
  if (otlp) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  if (processors.length === 0) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || opts.serviceName }),
    spanProcessors: processors,
  });
  provider.register();
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
    },
  };
}
