import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { integerBetween, resourceId } from '../option-parsers';

export function registerPriority(program: Command, ctx: CommandContext): void {
  program
    .command('priority')
    .description('change the priority (1–3; 3 needs job:setHighPriority) of a job waiting in the queue and not yet dispatched')
    .argument('<id>', 'job id', resourceId)
    .argument('<priority>', 'new priority: 1, 2 or 3', integerBetween(1, 3))
    .action(
      ctx.action(async (cmd, id: string, priority: number) => {
        const job = await ctx.client(cmd).changePriority(id, priority);
        ctx.print(cmd, job, () => `Job ${job.id} now has priority ${job.priority}; state: ${job.state}\n`);
      }),
    );
}
