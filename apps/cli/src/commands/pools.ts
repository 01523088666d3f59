import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatPoolsTable } from '../format';

export function registerPools(program: Command, ctx: CommandContext): void {
  program
    .command('pools')
    .description('list resource pools: nodes (ready/all), free/total and used resources, supernodes')
    .action(
      ctx.action(async (cmd) => {
        const pools = await ctx.client(cmd).listPools();
        ctx.print(cmd, pools, () => formatPoolsTable(pools.items));
      }),
    );
}
