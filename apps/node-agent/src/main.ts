import { loadAgentConfig } from './agent-config';
import { startNodeAgent } from './node-agent';

/** Runs one node agent as its own process: `node dist/apps/node-agent/src/main.js` (config from `TY_*`). */
async function main() {
  const agent = await startNodeAgent(loadAgentConfig(process.env));
  const shutdown = async () => {
    await agent.stop();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err) => {
  console.error(`node-agent: ${err.message}`);
  process.exit(1);
});
