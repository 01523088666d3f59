import { createServer, type Server } from 'node:http';
import { metricsText } from './metric';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text) on a small HTTP port, for services without an HTTP face of
 * their own (scheduler, log router, node agent, fault manager).
 */
export async function startMetricsServer(listen: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
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

/**
 * Starts the metrics port of a standalone service from `TY_METRICS_PORT` (default `defaultPort`;
 * `off` disables it) and `TY_METRICS_HOST` (default 127.0.0.1). A port in use is reported, not fatal:
 * metrics never take a service down.
 */
export async function serveMetricsFromEnv(
  service: string,
  defaultPort: number,
  env: Record<string, string | undefined> = process.env,
): Promise<MetricsServer | undefined> {
  const raw = env.TY_METRICS_PORT ?? String(defaultPort);
  if (raw === 'off') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`TY_METRICS_PORT=${raw} must be a port number or off`);
  try {
    const server = await startMetricsServer({ host: env.TY_METRICS_HOST ?? '127.0.0.1', port });
    console.log(`${service}: metrics on ${server.url}`);
    return server;
  } catch (err) {
    console.error(`${service}: metrics port ${port} not served: ${(err as Error).message}`);
    return undefined;
  }
}
