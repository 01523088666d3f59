import { startFleet } from './scale-fleet';

/**
 * The simulated fleet as a process of its own (bench:scale), so the control plane's CPU time is its
 * process's alone. Env: SIM_NATS_URL, SIM_DATA_DIR, SIM_AGENTS, SIM_HEARTBEAT_MS, SIM_PREFIX.
 * Prints `fleet ready <n>` once every agent runs; SIGTERM stops it.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const fleet = await startFleet({
    natsUrl: process.env.SIM_NATS_URL!,
    dataDir: process.env.SIM_DATA_DIR!,
    agents: Number(process.env.SIM_AGENTS),
    heartbeatMs: process.env.SIM_HEARTBEAT_MS ? Number(process.env.SIM_HEARTBEAT_MS) : undefined,
    prefix: process.env.SIM_PREFIX,
  });
  console.log(`fleet ready ${fleet.agents.length} in ${Date.now() - started} ms, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
  process.once('SIGTERM', () => void fleet.stop().finally(() => process.exit(0)));
}

main().catch((err) => {
  console.error(`fleet failed: ${err?.stack ?? err}`);
  process.exit(1);
});
