import { createDatabase, migrate, readLogCheckpoint } from '@trainyard/db';
import { connectNats, openStreams } from '@trainyard/event-log';
import { serveMetricsFromEnv, startTracing } from '@trainyard/telemetry';
import { retentionFromEnv } from './log-retention';
import { DEFAULT_LOG_ROUTER_OPTIONS } from './log-router';
import { startLogRouterService } from './log-router-service';

/** The log router as its own process; needs PostgreSQL (`TY_DATABASE_URL`) shared with the API. */
async function main() {
  const url = process.env.TY_DATABASE_URL;
  if (!url) throw new Error('TY_DATABASE_URL is required when the log router runs on its own (PGlite is per process)');
  const retentionMs = retentionFromEnv();
  const nc = await connectNats(process.env.TY_NATS_URL, 'trainyard-log-router');
  const database = createDatabase({ url, schema: process.env.TY_DATABASE_SCHEMA || undefined });
  await migrate(database.db, database.schema);
  // The log store owns TY_LOGS: created on a fresh cluster only, refused when lost (docs/architecture.md "Streams").
  await openStreams(nc, { logs: await readLogCheckpoint(database.db, DEFAULT_LOG_ROUTER_OPTIONS.name) }, { logMaxAgeMs: retentionMs });
  const service = await startLogRouterService(nc, database, { retentionMs });
  const tracing = startTracing({ serviceName: 'trainyard-log-router' });
  const metrics = await serveMetricsFromEnv('log-router', 9102);
  console.log('log-router: ready');
  const shutdown = async () => {
    await service.stop();
    await metrics?.close();
    await tracing?.shutdown();
    await database.close();
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err) => {
  console.error(`log-router: ${err.message}`);
  process.exit(1);
});
