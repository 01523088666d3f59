import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatJobDescription } from '../format';

export function registerDescribe(program: Command, ctx: CommandContext): void {
  program
    .command('describe')
    .description("show a job's state, resources and tasks")
    .argument('<id>', 'job id')
    .action(
      ctx.action(async (cmd, id: string) => {
        const job = await ctx.client(cmd).getJob(id);
        ctx.print(cmd, job, () => formatJobDescription(job, ctx.env.now()));
      }),
    );
}
