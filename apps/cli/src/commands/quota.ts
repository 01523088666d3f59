import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatQuotaTable } from '../format-quota';
import { positiveNumber, quotaAmounts, resourceId } from '../option-parsers';

/** `yard quota set|get|list|remove` (issue 16): operators and admins set, a project's roles read. */
export function registerQuota(program: Command, ctx: CommandContext): void {
  const quota = program.command('quota').description('quotas per project and pool: guaranteed, limit, cohort, fair-share weight, and usage');

  quota
    .command('set')
    .description("set a project's quota in a pool (operators, admins); replaces the pool's last one")
    .argument('<project>', 'project id', resourceId)
    .argument('<pool>', 'pool', resourceId)
    .requiredOption('--guaranteed <amounts>', 'always the project\'s, lent to its cohort while idle: gpu=8,cpu=64,memoryMiB=…,gpu/<model>=…', quotaAmounts)
    .option('--limit <amounts>', 'the most it may hold, borrowing included (default: the guarantee; unbounded within a cohort)', quotaAmounts)
    .option('--cohort <name>', 'projects of the pool with the same cohort lend each other idle guaranteed quota')
    .option('--weight <n>', 'fair share relative to the other projects of the pool (default 1)', positiveNumber)
    .action(
      ctx.action(async (cmd, project: string, pool: string, opts: { guaranteed: Record<string, number>; limit?: Record<string, number>; cohort?: string; weight?: number }) => {
        const body = { guaranteed: opts.guaranteed, ...(opts.limit ? { limit: opts.limit } : {}), ...(opts.cohort ? { cohort: opts.cohort } : {}), ...(opts.weight !== undefined ? { weight: opts.weight } : {}) };
        const q = await ctx.client(cmd).setQuota(project, pool, body);
        ctx.print(cmd, q, () => `quota of ${project} in pool ${pool} set\n`);
      }),
    );

  quota
    .command('get')
    .description("a project's quotas with what it holds now and how much is borrowed")
    .argument('<project>', 'project id', resourceId)
    .action(
      ctx.action(async (cmd, project: string) => {
        const r = await ctx.client(cmd).projectQuotas(project);
        ctx.print(cmd, r, () => formatQuotaTable(r.items));
      }),
    );

  quota
    .command('list')
    .description('every quota you may read, with usage')
    .action(
      ctx.action(async (cmd) => {
        const r = await ctx.client(cmd).listQuotas();
        ctx.print(cmd, r, () => formatQuotaTable(r.items));
      }),
    );

  quota
    .command('remove')
    .description("remove a project's quota in a pool (operators, admins)")
    .argument('<project>', 'project id', resourceId)
    .argument('<pool>', 'pool', resourceId)
    .action(
      ctx.action(async (cmd, project: string, pool: string) => {
        const r = await ctx.client(cmd).removeQuota(project, pool);
        ctx.print(cmd, r, () => `quota of ${project} in pool ${pool} removed\n`);
      }),
    );
}
