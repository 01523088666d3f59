import { createDatabase } from '@trainyard/db';
import { connectNats, credentialOptions, JetStreamEventLog, natsCredentialsFromEnv } from '@trainyard/event-log';
import { natsHealth, serveMetricsFromEnv } from '@trainyard/telemetry';
import { startTuner } from './start-tuner';
import { tunerConfigFromEnv } from './tuner-options';

/**
 * The tuner (issue 15, hyperparameter search) as its own process: `node dist/apps/tuner/src/main.js`.
 * Needs PostgreSQL (`TY_DATABASE_URL`, the trials' logs) and `/usr/bin/python3` with optuna and
 * scikit-learn. Two replicas elect the active one through the `TY_LEADER` KV bucket.
 */
async function main() {
  const config = tunerConfigFromEnv(process.env);
  const nc = await connectNats(config.natsUrl, 'trainyard-tuner', credentialOptions(natsCredentialsFromEnv(process.env)));
  const database = createDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
  // /metrics and /healthz for probes (TY_METRICS_PORT, default 9106).
  const metrics = await serveMetricsFromEnv('tuner', 9106, process.env, natsHealth(nc));
  const tuner = await startTuner(
    { nc, log: new JetStreamEventLog(nc), db: database.db, options: { ...config.options, log: (m) => console.log(`[tuner] ${m}`) } },
    { handleSignals: true, finally: [() => metrics?.close(), () => database.close(), () => nc.drain()] },
  );
  console.log(`tuner: ready (${tuner.id}, ${tuner.isLeader() ? 'leader' : 'standby'})`);
}

main().catch((err) => {
  console.error(`tuner: ${err.message}`);
  process.exit(1);
});
