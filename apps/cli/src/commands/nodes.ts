import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatNodesTable } from '../format';
import { formatNodesAt } from '../format-history';
import { timeBound } from '../time-bound';

export function registerNodes(program: Command, ctx: CommandContext): void {
  program
    .command('nodes')
    .description('list nodes with free/total resources (-o wide adds availability, isolation and used resources)')
    .option('--at <when>', 'the nodes as they were then: a time (2h back, an ISO time) or a sequence (seq:N)', (v) => timeBound(v, ctx.env.now()))
    .action(
      ctx.action(async (cmd) => {
        const at = cmd.opts<{ at?: string }>().at;
        if (at !== undefined) {
          const past = await ctx.client(cmd).listNodesAt(at);
          ctx.print(cmd, past, () => formatNodesAt(past.items, past.at));
          return;
        }
        const nodes = await ctx.client(cmd).listNodes();
        const now = ctx.env.now();
        ctx.print(cmd, nodes, () => formatNodesTable(nodes.items, now), () => formatNodesTable(nodes.items, now, { wide: true }));
      }),
    );
}
