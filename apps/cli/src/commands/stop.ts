import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { resourceId } from '../option-parsers';

export function registerStop(program: Command, ctx: CommandContext): void {
  program
    .command('stop')
    .description('stop a job: its running tasks get SIGTERM, then SIGKILL after the grace period')
    .argument('<id>', 'job id', resourceId)
    .action(
      ctx.action(async (cmd, id: string) => {
        const job = await ctx.client(cmd).stopJob(id);
        ctx.print(cmd, job, () => `Stop requested for job ${job.id}; state: ${job.state}\n`);
      }),
    );
}
