import { createDatabase } from '@trainyard/db';
import { awaitStreams, connectNats, JetStreamEventLog } from '@trainyard/event-log';
import { FaultManager } from './fault-manager';
import { faultManagerOptionsFromEnv } from './fault-manager-options';

/**
 * Runs one fault-manager replica as its own process: `node dist/apps/fault-manager/src/main.js`. Start
 * two for high availability: they elect the active one through the `TY_LEADER` KV bucket. With
 * `TY_DATABASE_URL` it reads failed tasks' logs for the failure analysis; without, it analyses nothing.
 */
async function main() {
  const nc = await connectNats(process.env.TY_NATS_URL, 'trainyard-fault-manager');
  await awaitStreams(nc);
  const url = process.env.TY_DATABASE_URL || undefined;
  const database = url ? createDatabase({ url, schema: process.env.TY_DATABASE_SCHEMA || undefined }) : undefined;
  const options = faultManagerOptionsFromEnv(process.env);
  const fm = new FaultManager(nc, new JetStreamEventLog(nc), { ...options, log: (m) => console.log(`[fault-manager] ${m}`) }, { db: database?.db });
  await fm.start();
  console.log(`fault-manager: ready (${fm.id}, ${fm.isLeader() ? 'leader' : 'standby'})`);
  const shutdown = async () => {
    await fm.stop();
    await database?.close();
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err) => {
  console.error(`fault-manager: ${err.message}`);
  process.exit(1);
});
