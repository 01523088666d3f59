import { loadAgentConfig } from './agent-config';
import { serveMetricsFromEnv, startTracing } from '@trainyard/telemetry';
import { startNodeAgent } from './node-agent';

/** Runs one node agent as its own process: `node dist/apps/node-agent/src/main.js` (config from `TY_*`). */
async function main() {
  const tracing = startTracing({ serviceName: 'trainyard-node-agent' });
  const agent = await startNodeAgent(loadAgentConfig(process.env));
  const metrics = await serveMetricsFromEnv('node-agent', 9103);
  const shutdown = async () => {
    await agent.stop();
    await metrics?.close();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err) => {
  console.error(`node-agent: ${err.message}`);
  process.exit(1);
});
