import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatNodesTable } from '../format';

export function registerNodes(program: Command, ctx: CommandContext): void {
  program
    .command('nodes')
    .description('list nodes with free/total resources')
    .action(
      ctx.action(async (cmd) => {
        const nodes = await ctx.client(cmd).listNodes();
        ctx.print(cmd, nodes, () => formatNodesTable(nodes.items, ctx.env.now()));
      }),
    );
}
