import { createDatabase } from '@trainyard/db';
import { awaitStreams, connectNats, credentialOptions, JetStreamEventLog, natsCredentialsFromEnv } from '@trainyard/event-log';
import { natsHealth, serveMetricsFromEnv } from '@trainyard/telemetry';
import { faultManagerConfigFromEnv } from './fault-manager-options';
import { startFaultManager } from './start-fault-manager';

/**
 * Runs one fault-manager replica as its own process: `node dist/apps/fault-manager/src/main.js`. Start
 * two for high availability: they elect the active one through the `TY_LEADER` KV bucket. With
 * `TY_DATABASE_URL` it reads failed tasks' logs for the failure analysis; without, it analyses nothing.
 */
async function main() {
  const config = faultManagerConfigFromEnv(process.env);
  // TY_NATS_CREDENTIALS: a locked bus (issue 11), where commands must carry the API's principal.
  const credentials = natsCredentialsFromEnv(process.env);
  const nc = await connectNats(config.natsUrl, 'trainyard-fault-manager', credentialOptions(credentials));
  await awaitStreams(nc);
  // /metrics and /healthz for probes (TY_METRICS_PORT, default 9104).
  const metrics = await serveMetricsFromEnv('fault-manager', 9104, process.env, natsHealth(nc));
  const database = config.databaseUrl ? createDatabase({ url: config.databaseUrl, schema: config.databaseSchema }) : undefined;
  const fm = await startFaultManager(
    { nc, log: new JetStreamEventLog(nc), options: { ...config.options, log: (m) => console.log(`[fault-manager] ${m}`) }, db: database?.db, requirePrincipal: !!credentials },
    { handleSignals: true, finally: [() => metrics?.close(), () => database?.close(), () => nc.drain()] },
  );
  console.log(`fault-manager: ready (${fm.id}, ${fm.isLeader() ? 'leader' : 'standby'})`);
}

main().catch((err) => {
  console.error(`fault-manager: ${err.message}`);
  process.exit(1);
});
