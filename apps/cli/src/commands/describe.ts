import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { resourceId } from '../option-parsers';
import { formatJobDescription } from '../format';
import { formatRecovery } from '../format-recovery';
import { formatGoodput, formatJobAt } from '../format-history';
import { timeBound } from '../time-bound';

export function registerDescribe(program: Command, ctx: CommandContext): void {
  program
    .command('describe')
    .description("show a job's state, resources, tasks and fault-recovery history")
    .argument('<id>', 'job id', resourceId)
    .option('--at <when>', 'the job as it was then: a time (2h back, an ISO time) or a sequence (seq:N)', (v) => timeBound(v, ctx.env.now()))
    .action(
      ctx.action(async (cmd, id: string) => {
        const client = ctx.client(cmd);
        const at = cmd.opts<{ at?: string }>().at;
        if (at !== undefined) {
          const past = await client.getJobAt(id, at);
          ctx.print(cmd, past, () => formatJobAt(past, past.at));
          return;
        }
        const [job, recovery, goodput] = await Promise.all([client.getJob(id), client.getRecovery(id).catch(() => undefined), client.getGoodput(id).catch(() => undefined)]);
        // The fault tolerance ("容错与恢复") and recovery history follow the job, then where its time went.
        const data = { ...job, ...(recovery ? { recovery } : {}), ...(goodput ? { goodput } : {}) };
        ctx.print(cmd, data, () => `${formatJobDescription(job, ctx.env.now())}${recovery ? `\n${formatRecovery(recovery)}` : ''}${goodput ? `\n${formatGoodput(goodput)}` : ''}`);
      }),
    );
}
