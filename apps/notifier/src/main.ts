import { createDatabase, migrate } from '@trainyard/db';
import { connectNats, credentialOptions, natsCredentialsFromEnv } from '@trainyard/event-log';
import { natsHealth, serveMetricsFromEnv, startTracing } from '@trainyard/telemetry';
import { notifierConfigFromEnv } from './notifier-options';
import { startNotifierService } from './notifier-service';

/** The notifier as its own process; needs PostgreSQL (`TY_DATABASE_URL`) shared with the API. */
async function main() {
  const config = notifierConfigFromEnv(process.env);
  const nc = await connectNats(config.natsUrl, 'trainyard-notifier', credentialOptions(natsCredentialsFromEnv(process.env)));
  const database = createDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
  await migrate(database.db, database.schema);
  const tracing = startTracing({ serviceName: 'trainyard-notifier' });
  // /metrics and /healthz for probes (TY_METRICS_PORT, default 9105).
  const metrics = await serveMetricsFromEnv('notifier', 9105, process.env, natsHealth(nc));
  await startNotifierService(nc, database, config.options, {
    handleSignals: true,
    finally: [() => metrics?.close(), () => tracing?.shutdown(), () => database.close(), () => nc.drain()],
  });
  console.log('notifier: ready');
}

main().catch((err) => {
  console.error(`notifier: ${err.message}`);
  process.exit(1);
});
