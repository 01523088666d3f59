import { serveMetricsFromEnv, startTracing, type MetricsServer } from '@trainyard/telemetry';
import { loadAgentConfig } from './agent-config';
import { startNodeAgent } from './node-agent';

/**
 * Runs one node agent as its own process: `node dist/apps/node-agent/src/main.js` (config from
 * `TY_*`, read once and validated). SIGTERM and SIGINT close the Nest application, then it exits.
 */
async function main() {
  const config = loadAgentConfig(process.env);
  const tracing = startTracing({ serviceName: 'trainyard-node-agent' });
  let metrics: MetricsServer | undefined;
  await startNodeAgent(config, {}, { handleSignals: true, finally: [() => metrics?.close(), () => tracing?.shutdown()] });
  metrics = await serveMetricsFromEnv('node-agent', 9103);
}

main().catch((err) => {
  console.error(`node-agent: ${err.message}`);
  process.exit(1);
});
