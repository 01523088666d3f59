import { appendLogLines, createDatabase, migrate } from '@trainyard/db';
import { connectNats, ensureStreams } from '@trainyard/event-log';
import { DEFAULT_LOG_ROUTER_OPTIONS, LogRouter } from './log-router';

/** The log router as its own process; needs PostgreSQL (`TY_DATABASE_URL`) shared with the API. */
async function main() {
  const url = process.env.TY_DATABASE_URL;
  if (!url) throw new Error('TY_DATABASE_URL is required when the log router runs on its own (PGlite is per process)');
  const nc = await connectNats(process.env.TY_NATS_URL, 'trainyard-log-router');
  await ensureStreams(nc);
  const database = createDatabase({ url, schema: process.env.TY_DATABASE_SCHEMA || undefined });
  await migrate(database.db, database.schema);
  const router = new LogRouter(nc, { appendLogLines: (rows) => appendLogLines(database.db, rows).then(() => undefined) }, DEFAULT_LOG_ROUTER_OPTIONS);
  await router.start();
  console.log('log-router: ready');
  const shutdown = async () => {
    await router.stop();
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
