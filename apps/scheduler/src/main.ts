import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { DEFAULT_SCHEDULER_OPTIONS, SchedulerService } from './scheduler-service';

/** Runs the scheduler as its own process: `node dist/apps/scheduler/src/main.js`. */
async function main() {
  const nc = await connectNats(process.env.TY_NATS_URL, 'trainyard-scheduler');
  await ensureStreams(nc);
  const scheduler = new SchedulerService(nc, new JetStreamEventLog(nc), DEFAULT_SCHEDULER_OPTIONS);
  await scheduler.start();
  console.log('scheduler: ready');
  const shutdown = async () => {
    await scheduler.stop();
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
