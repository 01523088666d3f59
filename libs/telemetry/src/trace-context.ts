import { context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { headers, type MsgHdrs } from '@nats-io/transport-node';

const w3c = new W3CTraceContextPropagator();
const setter = { set: (c: Record<string, string>, k: string, v: string) => void (c[k] = v) };
const getter = {
  get: (c: Record<string, string>, k: string) => c[k],
  keys: (c: Record<string, string>) => Object.keys(c),
};

/** The W3C `traceparent` of a span (`00-<trace id>-<span id>-<flags>`), or undefined for an invalid one. */
export function traceparentOf(span: Span): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
  return carrier.traceparent;
}

/** A context whose parent is the span named by `traceparent` (the root context without one). */
export function contextOf(traceparent: string | undefined) {
  return traceparent ? w3c.extract(ROOT_CONTEXT, { traceparent }, getter) : ROOT_CONTEXT;
}

/** NATS headers carrying `traceparent` (decision 11: trace context travels in NATS headers). */
export function traceHeaders(traceparent: string | undefined): MsgHdrs | undefined {
  if (!traceparent) return undefined;
  const h = headers();
  h.set('traceparent', traceparent);
  return h;
}

export interface SpanHandle {
  /** Context to hand on (commit meta, command body, NATS header); undefined when tracing is off and there was no parent. */
  traceparent: string | undefined;
  end(err?: unknown): void;
}

/**
 * Starts a span of `tracer` under `parent` (a `traceparent`). Without a registered tracer provider
 * the span does not record but keeps the parent's context, so the trace survives untraced hops.
 */
export function startSpan(tracer: string, name: string, parent: string | undefined, attributes: Attributes = {}, kind = SpanKind.INTERNAL): SpanHandle {
  const span = trace.getTracer(tracer).startSpan(name, { kind, attributes }, contextOf(parent));
  return {
    traceparent: traceparentOf(span) ?? parent,
    end(err?: unknown) {
      if (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
      }
      span.end();
    },
  };
}

/** Runs `fn` inside a span (active for its duration) and ends it, recording a thrown error. */
export async function inSpan<T>(
  tracer: string,
  name: string,
  parent: string | undefined,
  attributes: Attributes,
  fn: (traceparent: string | undefined) => Promise<T>,
  kind = SpanKind.INTERNAL,
): Promise<T> {
  const span = trace.getTracer(tracer).startSpan(name, { kind, attributes }, contextOf(parent));
  try {
    return await context.with(trace.setSpan(contextOf(parent), span), () => fn(traceparentOf(span) ?? parent));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    throw err;
  } finally {
    span.end();
  }
}

export { SpanKind };
