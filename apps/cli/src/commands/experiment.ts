import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatExperiment, formatExperimentList } from '../format-catalogue';
import { formatJobsTable } from '../format';
import { experimentName, integerAtLeast, resourceId } from '../option-parsers';

/**
 * `yard experiment`: jobs join an experiment (`metadata.experiment`, at submit or later), and the
 * experiment compares its jobs' parameters and final metrics side by side. An experiment exists
 * while a job belongs to it: `add` creates it with its first job.
 */
export function registerExperiment(program: Command, ctx: CommandContext): void {
  const experiment = program.command('experiment').description("experiments: jobs that join one, compared side by side");
  experiment
    .command('list', { isDefault: true })
    .description('every experiment a job you may read belongs to, newest first, with its job count')
    .option('--limit <n>', 'at most this many', integerAtLeast(1))
    .action(
      ctx.action(async (cmd) => {
        const list = await ctx.client(cmd).listExperiments({ limit: cmd.opts<{ limit?: number }>().limit });
        ctx.print(cmd, list, () => formatExperimentList(list, ctx.env.now()));
      }),
    );
  experiment
    .command('show')
    .description("the experiment's jobs side by side: each job's parameters and final metrics (the last name=number values its rank-0 task printed)")
    .argument('<name>', 'experiment name', experimentName)
    .action(
      ctx.action(async (cmd, name: string) => {
        const e = await ctx.client(cmd).getExperiment(name);
        ctx.print(cmd, e, () => formatExperiment(e));
      }),
    );
  experiment
    .command('jobs')
    .description("list the experiment's jobs (as yard jobs --experiment)")
    .argument('<name>', 'experiment name', experimentName)
    .action(
      ctx.action(async (cmd, name: string) => {
        const page = await ctx.client(cmd).listJobs({ experiment: name, limit: 500 });
        const now = ctx.env.now();
        ctx.print(cmd, page, () => formatJobsTable(page, now), () => formatJobsTable(page, now, { wide: true }));
      }),
    );
  experiment
    .command('add')
    .description('jobs join the experiment, which this creates with its first job; a job is in one experiment at most')
    .argument('<name>', 'experiment name', experimentName)
    .argument('<ids...>', 'job ids', jobIds)
    .action(
      ctx.action(async (cmd, name: string, ids: string[]) => {
        const jobs = await joinAll(ctx, cmd, ids, name);
        ctx.print(cmd, { items: jobs }, () => jobs.map((j) => `job ${j.id} joined experiment ${name}.\n`).join(''));
      }),
    );
  experiment
    .command('remove')
    .description('jobs leave their experiment')
    .argument('<ids...>', 'job ids', jobIds)
    .action(
      ctx.action(async (cmd, ids: string[]) => {
        const jobs = await joinAll(ctx, cmd, ids, null);
        ctx.print(cmd, { items: jobs }, () => jobs.map((j) => `job ${j.id} left its experiment.\n`).join(''));
      }),
    );
}

const jobIds = (value: string, previous: string[] = []) => [...previous, resourceId(value)];

/** One PATCH a job, in order; the first refusal stops (the jobs before it have changed). */
async function joinAll(ctx: CommandContext, cmd: Command, ids: string[], experiment: string | null) {
  const client = ctx.client(cmd);
  const jobs = [];
  for (const id of ids) jobs.push(await client.updateJob(id, { experiment }));
  return jobs;
}
