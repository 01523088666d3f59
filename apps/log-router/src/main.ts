import { createDatabase, migrate, readLogCheckpoint } from '@trainyard/db';
import { connectNats, credentialOptions, natsCredentialsFromEnv, openStreams, streamReplicasFromEnv } from '@trainyard/event-log';
import { natsHealth, serveMetricsFromEnv, startTracing } from '@trainyard/telemetry';
import { logRouterConfigFromEnv } from './log-router-config';
import { DEFAULT_LOG_ROUTER_OPTIONS } from './log-router';
import { startLogRouterService } from './log-router-service';

/** The log router as its own process; needs PostgreSQL (`TY_DATABASE_URL`) shared with the API. */
async function main() {
  const config = logRouterConfigFromEnv(process.env);
  const nc = await connectNats(config.natsUrl, 'trainyard-log-router', credentialOptions(natsCredentialsFromEnv(process.env)));
  const database = createDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
  await migrate(database.db, database.schema);
  // The log store owns TY_LOGS: created on a fresh cluster only, refused when lost (docs/architecture.md "Streams").
  await openStreams(nc, { logs: await readLogCheckpoint(database.db, DEFAULT_LOG_ROUTER_OPTIONS.name) }, { logMaxAgeMs: config.retentionMs, replicas: streamReplicasFromEnv(process.env) });
  const tracing = startTracing({ serviceName: 'trainyard-log-router' });
  const metrics = await serveMetricsFromEnv('log-router', 9102, process.env, natsHealth(nc));
  await startLogRouterService(nc, database, { retentionMs: config.retentionMs }, {
    handleSignals: true,
    finally: [() => metrics?.close(), () => tracing?.shutdown(), () => database.close(), () => nc.drain()],
  });
  console.log('log-router: ready');
}

main().catch((err) => {
  console.error(`log-router: ${err.message}`);
  process.exit(1);
});
