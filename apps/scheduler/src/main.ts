import { awaitStreams, connectNats, credentialOptions, JetStreamEventLog, natsCredentialsFromEnv } from '@trainyard/event-log';
import { instrumentEventLog, natsHealth, serveMetricsFromEnv, startTracing } from '@trainyard/telemetry';
import { schedulerConfigFromEnv } from './scheduler-config';
import { startScheduler } from './start-scheduler';

/**
 * Runs one scheduler replica as its own process: `node dist/apps/scheduler/src/main.js`. Start two
 * or more for high availability: they elect a leader through the `TY_LEADER` KV bucket. SIGTERM and
 * SIGINT close the Nest application (step down, drain), then the process exits.
 */
async function main() {
  const config = schedulerConfigFromEnv(process.env);
  const tracing = startTracing({ serviceName: 'trainyard-scheduler' });
  // TY_NATS_CREDENTIALS: a locked bus (issue 11), where commands must carry the API's principal.
  const credentials = natsCredentialsFromEnv(process.env);
  const nc = await connectNats(config.natsUrl, 'trainyard-scheduler', credentialOptions(credentials));
  // The api creates TY_EVENTS on a fresh cluster; a scheduler never does (docs/architecture.md "Streams").
  await awaitStreams(nc);
  const log = instrumentEventLog(new JetStreamEventLog(nc), 'scheduler');
  const metrics = await serveMetricsFromEnv('scheduler', 9101, process.env, natsHealth(nc));
  const scheduler = await startScheduler(
    { nc, log, options: { ...config.options, log: (m) => console.log(`[scheduler] ${m}`) }, requirePrincipal: !!credentials },
    { handleSignals: true, finally: [() => metrics?.close(), () => tracing?.shutdown(), () => nc.drain()] },
  );
  console.log(`scheduler: ready (${scheduler.id}, ${scheduler.isLeader() ? 'leader' : 'standby'})`);
}

main().catch((err) => {
  console.error(`scheduler: ${err.message}`);
  process.exit(1);
});
