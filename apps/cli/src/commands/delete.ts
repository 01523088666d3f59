import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { resourceId } from '../option-parsers';

export function registerDelete(program: Command, ctx: CommandContext): void {
  program
    .command('delete')
    .description('delete a finished job')
    .argument('<id>', 'job id', resourceId)
    .action(
      ctx.action(async (cmd, id: string) => {
        const job = await ctx.client(cmd).deleteJob(id);
        ctx.print(cmd, job, () => `Delete requested for job ${job.id}; state: ${job.state}\n`);
      }),
    );
}
