import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatJobsTable } from '../format';
import { integerAtLeast } from '../option-parsers';
import { formatJobsAt } from '../format-history';
import { tagQuery } from '../tag-filter';
import { timeBound } from '../time-bound';

interface JobsOptions {
  state?: string;
  limit?: number;
  offset?: number;
  tag?: string;
  experiment?: string;
  project?: string;
  name?: string;
}

export function registerJobs(program: Command, ctx: CommandContext): void {
  program
    .command('jobs')
    .description('list training jobs, newest first (-o wide adds project, experiment, tags and description)')
    .option('--state <state>', 'only jobs in this state (e.g. running, completed)')
    .option('--tag <key=value>', 'only jobs with this tag (key=value, or key for any value)', tagQuery)
    .option('--experiment <name>', 'only jobs of this experiment')
    .option('--project <id>', 'only jobs of this project')
    .option('--name <text>', 'only jobs whose name contains this')
    .option('--limit <n>', 'at most this many jobs', integerAtLeast(1))
    .option('--offset <n>', 'skip this many jobs', integerAtLeast(0))
    .option('--at <when>', 'the jobs as they were then: a time (2h back, an ISO time) or a sequence (seq:N)', (v) => timeBound(v, ctx.env.now()))
    .action(
      ctx.action(async (cmd) => {
        const at = cmd.opts<{ at?: string }>().at;
        if (at !== undefined) {
          const past = await ctx.client(cmd).listJobsAt(at);
          ctx.print(cmd, past, () => formatJobsAt(past.items, past.at));
          return;
        }
        const { state, limit, offset, tag, experiment, project, name } = cmd.opts<JobsOptions>();
        const page = await ctx.client(cmd).listJobs({ state, limit, offset, tag, experiment, project, q: name });
        const now = ctx.env.now();
        ctx.print(cmd, page, () => formatJobsTable(page, now), () => formatJobsTable(page, now, { wide: true }));
      }),
    );
}
