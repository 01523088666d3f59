import { awaitStreams, connectNats, JetStreamEventLog } from '@trainyard/event-log';
import { instrumentEventLog, serveMetricsFromEnv, startTracing } from '@trainyard/telemetry';
import { schedulerOptionsFromEnv } from './scheduler-config';
import { SchedulerService } from './scheduler-service';

/**
 * Runs one scheduler replica as its own process: `node dist/apps/scheduler/src/main.js`. Start two
 * or more for high availability: they elect a leader through the `TY_LEADER` KV bucket.
 */
async function main() {
  const tracing = startTracing({ serviceName: 'trainyard-scheduler' });
  const nc = await connectNats(process.env.TY_NATS_URL, 'trainyard-scheduler');
  // The api creates TY_EVENTS on a fresh cluster; a scheduler never does (docs/architecture.md "Streams").
  await awaitStreams(nc);
  const options = schedulerOptionsFromEnv(process.env);
  const scheduler = new SchedulerService(nc, instrumentEventLog(new JetStreamEventLog(nc), 'scheduler'), { ...options, log: (m) => console.log(`[scheduler] ${m}`) });
  await scheduler.start();
  const metrics = await serveMetricsFromEnv('scheduler', 9101);
  console.log(`scheduler: ready (${scheduler.id}, ${scheduler.isLeader() ? 'leader' : 'standby'})`);
  const shutdown = async () => {
    await scheduler.stop();
    await metrics?.close();
    await tracing?.shutdown();
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err) => {
  console.error(`scheduler: ${err.message}`);
  process.exit(1);
});
