import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { resourceId } from '../option-parsers';
import { formatJobDescription } from '../format';
import { formatRecovery } from '../format-recovery';

export function registerDescribe(program: Command, ctx: CommandContext): void {
  program
    .command('describe')
    .description("show a job's state, resources, tasks and fault-recovery history")
    .argument('<id>', 'job id', resourceId)
    .action(
      ctx.action(async (cmd, id: string) => {
        const client = ctx.client(cmd);
        const [job, recovery] = await Promise.all([client.getJob(id), client.getRecovery(id).catch(() => undefined)]);
        // The fault tolerance ("容错与恢复") and recovery history follow the job.
        ctx.print(cmd, recovery ? { ...job, recovery } : job, () => `${formatJobDescription(job, ctx.env.now())}${recovery ? `\n${formatRecovery(recovery)}` : ''}`);
      }),
    );
}
