import { createDatabase, migrate, Projector, readCheckpoint } from '@trainyard/db';
import { connectNats, credentialOptions, JetStreamEventLog, natsCredentialsFromEnv, openStreams, streamReplicasFromEnv } from '@trainyard/event-log';
import { resolve } from 'node:path';
import { apiOptionsFromEnv } from './api-options';
import { apiTlsFromEnv } from './api-tls';
import { startApiServer } from './api-server';
import { DbReadModel } from './db-read-model';
import { startTracing } from '@trainyard/telemetry';
import { dbApiMetrics } from './metrics/api-metrics-port';
import { dbLogReads } from './training-jobs/log-reads';

/**
 * The API as its own process, with the projector that keeps its read models current. With PGlite
 * (no TY_DATABASE_URL) the database belongs to this process alone, so the log router must then run
 * in the same process: use the all-in-one (`npm start`) for that.
 */
async function main() {
  const tracing = startTracing({ serviceName: 'trainyard-api' });
  const nc = await connectNats(process.env.TY_NATS_URL, 'trainyard-api', credentialOptions(natsCredentialsFromEnv(process.env)));
  const database = createDatabase({
    url: process.env.TY_DATABASE_URL || undefined,
    dataDir: process.env.TY_DATABASE_URL ? undefined : resolve(process.env.TY_DATA_DIR ?? '.data', 'pglite'),
    schema: process.env.TY_DATABASE_SCHEMA || undefined,
  });
  await migrate(database.db, database.schema);
  // The read models own TY_EVENTS: created on a fresh cluster only, refused when lost (docs/architecture.md "Streams");
  // TY_STREAM_REPLICAS > 1 only on a server of 2.9.21 or later (replication-gate.ts).
  await openStreams(nc, { events: await readCheckpoint(database.db) }, { replicas: streamReplicasFromEnv(process.env) });
  const eventLog = new JetStreamEventLog(nc);
  const projector = new Projector({ db: database.db, eventLog });
  await projector.start();
  const api = await startApiServer(
    { nc, reads: new DbReadModel(database, projector, eventLog), logs: dbLogReads(database), metrics: dbApiMetrics(database, nc), options: apiOptionsFromEnv(process.env) },
    { host: process.env.TY_API_HOST ?? '127.0.0.1', port: Number(process.env.TY_API_PORT ?? 8080), tls: apiTlsFromEnv(process.env) },
  );
  console.log(`api: listening on ${api.url}`);
  const shutdown = async () => {
    await api.close();
    await tracing?.shutdown();
    await projector.stop();
    await database.close();
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err) => {
  console.error(`api: ${err.message}`);
  process.exit(1);
});
