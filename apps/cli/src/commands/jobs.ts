import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatJobsTable } from '../format';
import { integerAtLeast } from '../option-parsers';

interface JobsOptions {
  state?: string;
  limit?: number;
  offset?: number;
}

export function registerJobs(program: Command, ctx: CommandContext): void {
  program
    .command('jobs')
    .description('list training jobs, newest first')
    .option('--state <state>', 'only jobs in this state (e.g. running, completed)')
    .option('--limit <n>', 'at most this many jobs', integerAtLeast(1))
    .option('--offset <n>', 'skip this many jobs', integerAtLeast(0))
    .action(
      ctx.action(async (cmd) => {
        const { state, limit, offset } = cmd.opts<JobsOptions>();
        const page = await ctx.client(cmd).listJobs({ state, limit, offset });
        ctx.print(cmd, page, () => formatJobsTable(page, ctx.env.now()));
      }),
    );
}
