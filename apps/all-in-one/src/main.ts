import { NatsUnreachable } from '@trainyard/event-log';
import os from 'node:os';
import { resolve } from 'node:path';
import { startTracing } from '@trainyard/telemetry';
import { retentionFromEnv } from '../../log-router/src/index';
import { startLocalCluster } from './local-cluster';

/**
 * `npm start`: the whole cluster on this machine — api, scheduler, fault manager, log router and two
 * node agents that split this machine's cores and memory between them.
 */
async function main() {
  // One process, one service name; spans tell the services apart by instrumentation scope.
  const tracing = startTracing({ serviceName: 'trainyard' });
  const natsUrl = process.env.TY_NATS_URL ?? 'nats://127.0.0.1:4222';
  const dataDir = resolve(process.env.TY_DATA_DIR ?? '.data');
  const half = {
    cpu: Math.max(1, Math.floor(os.availableParallelism() / 2)),
    memoryMiB: Math.floor(os.totalmem() / 2 ** 20 / 2),
    gpu: 0,
    npu: 0,
  };
  const cluster = await startLocalCluster({
    natsUrl,
    databaseUrl: process.env.TY_DATABASE_URL || undefined,
    schema: process.env.TY_DATABASE_SCHEMA || undefined,
    dataDir,
    api: { host: process.env.TY_API_HOST ?? '127.0.0.1', port: Number(process.env.TY_API_PORT ?? 8080) },
    agents: [
      { nodeId: 'node-1', capacity: half },
      { nodeId: 'node-2', capacity: half },
    ],
    logRouter: { retentionMs: retentionFromEnv() },
  });
  const db = process.env.TY_DATABASE_URL ? 'PostgreSQL (TY_DATABASE_URL)' : `embedded PGlite in ${resolve(dataDir, 'pglite')}`;
  console.log(`Trainyard is up.
  API        ${cluster.apiUrl}   (OpenAPI: ${cluster.apiUrl}/openapi.json)
  NATS       ${natsUrl}
  database   ${db}
  nodes      node-1, node-2 (${half.cpu} cpu, ${half.memoryMiB} MiB each)
Try: npx yard submit examples/hello/job.yaml`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    await cluster.stop();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  if (err instanceof NatsUnreachable || err?.name === 'NatsUnreachable') {
    console.error(`${err.message}`);
  } else {
    console.error(`trainyard: ${err?.stack ?? err}`);
    if (err?.cause) console.error(`caused by: ${err.cause?.stack ?? err.cause}`);
  }
  process.exit(1);
});
