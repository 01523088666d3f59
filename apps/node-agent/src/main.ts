import { serveMetricsFromEnv, startTracing, type MetricsServer } from '@trainyard/telemetry';
import { loadAgentConfig } from './agent-config';
import { joinCluster, joinedCredentialsPath, joinRequestFrom } from './join-cluster';
import { startNodeAgent } from './node-agent';

/**
 * Runs one node agent as its own process: `node dist/apps/node-agent/src/main.js` (config from
 * `TY_*`, read once and validated). `--join <api-url> --token T` first fetches this node's NATS
 * credentials from the API (join-cluster.ts). SIGTERM and SIGINT close the Nest application, then it exits.
 */
async function main() {
  const env = { ...process.env };
  const join = joinRequestFrom(process.argv.slice(2), env);
  if (join) {
    const joined = await joinCluster(join, joinedCredentialsPath(env), env);
    console.log(joined.joined ? `node-agent: joined as node ${joined.nodeId}; credentials in ${joined.credentialsFile}` : `node-agent: already joined as node ${joined.nodeId} (${joined.credentialsFile})`);
    env.TY_NODE_ID = joined.nodeId;
    env.TY_NATS_CREDENTIALS = joined.credentialsFile;
  }
  const config = loadAgentConfig(env);
  const tracing = startTracing({ serviceName: 'trainyard-node-agent' });
  let metrics: MetricsServer | undefined;
  await startNodeAgent(config, {}, { handleSignals: true, finally: [() => metrics?.close(), () => tracing?.shutdown()] });
  metrics = await serveMetricsFromEnv('node-agent', 9103);
}

main().catch((err) => {
  console.error(`node-agent: ${err.message}`);
  process.exit(1);
});
