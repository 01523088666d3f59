import { NatsUnreachable } from '@trainyard/event-log';
import os from 'node:os';
import { resolve } from 'node:path';
import { startTracing } from '@trainyard/telemetry';
import { retentionFromEnv } from '../../log-router/src/index';
import { notifierOptionsFromEnv } from '../../notifier/src/index';
import { tunerOptionsFromEnv } from '../../tuner/src/index';
import { apiOptionsFromEnv, apiTlsFromEnv } from '../../api/src/index';
import { configPath, saveContext } from '../../cli/src/index';
import { firstClosedDir, taskUsersFromEnv } from '../../node-agent/src/index';
import { startLocalCluster } from './local-cluster';
import { startPrivateNats, type PrivateNats } from './private-nats';

/**
 * `npm start`: the whole cluster on this machine — api, scheduler, fault manager, log router and two
 * node agents that split this machine's cores and memory between them.
 */
async function main() {
  // One process, one service name; spans tell the services apart by instrumentation scope.
  const tracing = startTracing({ serviceName: 'trainyard' });
  const dataDir = resolve(process.env.TY_DATA_DIR ?? '.data');
  const nodeIds = ['node-1', 'node-2'];
  // A locked bus by default (issue 11): without TY_NATS_URL, a nats-server of this cluster's own with
  // its credentials; with it, that NATS, locked when TY_NATS_CREDENTIALS_DIR names the credentials.
  const external = process.env.TY_NATS_URL;
  const nats: PrivateNats | undefined = external ? undefined : await startPrivateNats(dataDir, nodeIds);
  const natsUrl = external ?? nats!.url;
  const natsCredentialsDir = nats?.credentialsDir ?? (process.env.TY_NATS_CREDENTIALS_DIR || undefined);
  const half = {
    cpu: Math.max(1, Math.floor(os.availableParallelism() / 2)),
    memoryMiB: Math.floor(os.totalmem() / 2 ** 20 / 2),
    gpu: 0,
    npu: 0,
  };
  const apiHost = process.env.TY_API_HOST ?? '127.0.0.1';
  const apiPort = Number(process.env.TY_API_PORT ?? 8080);
  const apiOptions = apiOptionsFromEnv(process.env);
  // Tasks run as their jobs' users (uid 1000 by default), which needs root. A one-person cluster
  // started by another user runs them as that user instead, and says so (docs/architecture.md, "Task users").
  // So does root in a checkout other users cannot reach (say under /root, 0700): a job's user could
  // read neither the examples' code nor its own home under .data.
  const taskUsers = taskUsersFromEnv(process.env);
  const root = process.getuid?.() === 0;
  const closed = root && !process.env.TY_TASK_USER ? await firstClosedDir(resolve('.')) : undefined;
  const asAgent = (!root || closed !== undefined) && !process.env.TY_TASK_USER;
  if (asAgent) taskUsers.mode = 'agent';
  // First start of a fresh cluster: its first admin token, shown once and kept as the CLI's context,
  // so `npx yard submit` works at once (docs/architecture.md "Identity").
  let firstToken: string | undefined;
  if (!apiOptions.bootstrapAdmin) apiOptions.bootstrapAdmin = { onFirstStart: (token) => void (firstToken = token) };
  const cluster = await startLocalCluster({
    natsUrl,
    ...(natsCredentialsDir ? { natsCredentialsDir } : {}),
    databaseUrl: process.env.TY_DATABASE_URL || undefined,
    schema: process.env.TY_DATABASE_SCHEMA || undefined,
    dataDir,
    api: { host: apiHost, port: apiPort, tls: apiTlsFromEnv(process.env) },
    apiOptions,
    agents: [
      ...nodeIds.map((nodeId) => ({ nodeId, capacity: half, taskUsers })),
    ],
    logRouter: { retentionMs: retentionFromEnv() },
    notifier: notifierOptionsFromEnv(process.env),
    tuner: tunerOptionsFromEnv(process.env),
  }).catch(async (err) => {
    await nats?.stop();
    throw err;
  });
  const bus = natsCredentialsDir ? `locked: one user per service and agent (${natsCredentialsDir})` : 'open: no credentials (TY_NATS_CREDENTIALS_DIR to lock it)';
  const db = process.env.TY_DATABASE_URL ? 'PostgreSQL (TY_DATABASE_URL)' : `embedded PGlite in ${resolve(dataDir, 'pglite')}`;
  console.log(`Trainyard is up.
  API        ${cluster.apiUrl}   (OpenAPI: ${cluster.apiUrl}/openapi.json)
  NATS       ${natsUrl}${nats ? (nats.reused ? ' (this cluster\'s own, still running)' : ' (this cluster\'s own nats-server)') : ''}
  bus        ${bus}
  database   ${db}
  nodes      node-1, node-2 (${half.cpu} cpu, ${half.memoryMiB} MiB each)
Try: npx yard submit examples/hello/job.yaml`);
  if (asAgent && closed) {
    console.log(`  tasks      run as you (root), not as their jobs' users: ${closed.dir} lets no other user pass (chmod o+x it to run them as uid 1000; TY_TASK_USER)`);
  } else if (asAgent) console.log(`  tasks      run as you (uid ${process.getuid?.()}), not as their jobs' users: only root can switch users (TY_TASK_USER)`);
  if (firstToken) {
    const path = configPath(process.env);
    // An https API's context names the CA that signed its certificate (TY_API_CA), as `yard login --ca` does.
    const ca = process.env.TY_API_CA ? resolve(process.env.TY_API_CA) : undefined;
    if (path) saveContext(path, 'local', { api: cluster.apiUrl, token: firstToken, ...(ca ? { ca } : {}) }, true);
    console.log(`
First start: an admin token was made for this cluster. It is shown only now:
  ${firstToken}
${path ? `It is saved as the CLI context "local" in ${path}.` : 'Set TY_TOKEN to it for the CLI.'} More users: npx yard admin token create --help (README, "Users and roles").`);
  }

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    await cluster.stop();
    await nats?.stop();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  if (err instanceof NatsUnreachable || err?.name === 'NatsUnreachable') {
    console.error(`${err.message}`);
  } else {
    console.error(`trainyard: ${err?.stack ?? err}`);
    if (err?.cause) console.error(`caused by: ${err.cause?.stack ?? err.cause}`);
  }
  process.exit(1);
});
