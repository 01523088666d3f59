import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatTime } from '../format';
import { duration } from '../option-parsers';

/**
 * `yard admin node join-token --node <id>` (issue 12; admins): a single-use, short-lived token the
 * agent on a new machine presents once (`--join <api> --token T`) to fetch its NATS credentials.
 */
export function registerAdminNodeJoin(program: Command, ctx: CommandContext): void {
  const admin = program.commands.find((c) => c.name() === 'admin') ?? program.command('admin');
  const node = admin.commands.find((c) => c.name() === 'node') ?? admin.command('node').description('nodes joining the cluster');
  node
    .command('join-token')
    .description("a single-use token that lets one node fetch its NATS credentials (the node must be in the API's bootstrap directory)")
    .requiredOption('--node <id>', 'the node id (its TY_NODE_ID)')
    .option('--expires <duration>', 'lifetime, 1m to 24h (default 15m)', duration)
    .action(
      ctx.action(async (cmd) => {
        const o = cmd.opts<{ node: string; expires?: number }>();
        const t = await ctx.client(cmd).createNodeJoinToken({ nodeId: o.node, ...(o.expires ? { expiresInSeconds: o.expires } : {}) });
        ctx.print(cmd, t, () =>
          `${t.token}\n` +
          `join token ${t.tokenId} for node ${t.nodeId}, single use, until ${formatTime(t.expiresAt)}; on the node:\n` +
          `  node dist/apps/node-agent/src/main.js --join ${ctx.client(cmd).baseUrl} --token ${t.token}\n`,
        );
      }),
    );
}
