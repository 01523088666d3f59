import { createServer, type Server } from 'node:http';
import { metricsText } from './metric';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** What `/healthz` reports: why the service is not well, or nothing. */
export type HealthCheck = () => { reasons: string[] };

/**
 * Serves `GET /metrics` (Prometheus text) on a small HTTP port, for services without an HTTP face of
 * their own (scheduler, log router, node agent, fault manager), and `GET /healthz` for probes, shaped
 * like the API's: `{ status: 'ok' | 'degraded', reasons }`. Always 200, as the API's: a service rides
 * out a NATS outage by itself, so a probe restarting it then would only add a cold start; a process
 * that no longer answers is what the probe catches.
 */
export async function startMetricsServer(listen: { host: string; port: number }, health?: HealthCheck): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const reasons = health?.().reasons ?? [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify({ status: reasons.length ? 'degraded' : 'ok', reasons })}\n`);
      return;
    }
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404).end('not found\n');
      return;
    }
    metricsText().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err) => res.writeHead(500).end(`${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  return {
    url: `http://${listen.host}:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A service's NATS connection as `/healthz` sees it: degraded while closed or disconnected. */
export function natsHealth(nc: { isClosed(): boolean; status(): AsyncIterable<{ type: string }> }): HealthCheck {
  let disconnected = false;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') disconnected = true;
      else if (s.type === 'reconnect') disconnected = false;
    }
  })().catch(() => undefined);
  return () => ({ reasons: nc.isClosed() ? ['NATS connection closed'] : disconnected ? ['NATS disconnected, reconnecting'] : [] });
}

/**
 * Starts the metrics port of a standalone service from `TY_METRICS_PORT` (default `defaultPort`;
 * `off` disables it) and `TY_METRICS_HOST` (default 127.0.0.1). A port in use is reported, not fatal:
 * metrics never take a service down.
 */
export async function serveMetricsFromEnv(
  service: string,
  defaultPort: number,
  env: Record<string, string | undefined> = process.env,
  health?: HealthCheck,
): Promise<MetricsServer | undefined> {
  const raw = env.TY_METRICS_PORT ?? String(defaultPort);
  if (raw === 'off') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`TY_METRICS_PORT=${raw} must be a port number or off`);
  try {
    const server = await startMetricsServer({ host: env.TY_METRICS_HOST ?? '127.0.0.1', port }, health);
    console.log(`${service}: metrics on ${server.url}`);
    return server;
  } catch (err) {
    console.error(`${service}: metrics port ${port} not served: ${(err as Error).message}`);
    return undefined;
  }
}
