import type { Command } from 'commander';
import type { JobUpdate } from '@trainyard/contracts';
import type { CommandContext } from '../command-context';
import { UsageError } from '../cli-error';
import { collect, experimentName, resourceId } from '../option-parsers';
import { parseTags } from '../tag-filter';

interface EditOptions {
  description?: string;
  tag?: string[];
  noTags?: boolean;
  experiment?: string | false;
}

/** `yard edit ID`: what may change after creation — description, tags (all of them), experiment. */
export function registerEdit(program: Command, ctx: CommandContext): void {
  program
    .command('edit')
    .description("change a job's description, tags or experiment after creation (V2, V22)")
    .argument('<id>', 'job id', resourceId)
    .option('--description <text>', 'the new description')
    .option('--tag <key=value>', 'the job\'s tags: these replace all of them (repeatable, or comma-separated)', collect)
    .option('--clear-tags', 'remove every tag')
    .option('--experiment <name>', 'join this experiment', experimentName)
    .option('--no-experiment', 'leave the experiment')
    .action(
      ctx.action(async (cmd, id: string) => {
        const o = cmd.opts<EditOptions & { clearTags?: boolean }>();
        if (o.tag && o.clearTags) throw new UsageError('give --tag or --clear-tags, not both');
        const experimentGiven = cmd.getOptionValueSource('experiment') === 'cli';
        const update: JobUpdate = {
          ...(o.description !== undefined ? { description: o.description } : {}),
          ...(o.tag ? { tags: parseTags(o.tag) } : o.clearTags ? { tags: [] } : {}),
          ...(experimentGiven ? { experiment: o.experiment === false ? null : (o.experiment as string) } : {}),
        };
        if (Object.keys(update).length === 0) throw new UsageError('nothing to change: give --description, --tag, --clear-tags, --experiment or --no-experiment');
        const job = await ctx.client(cmd).updateJob(id, update);
        ctx.print(cmd, job, () => `job ${job.id} updated.\n`);
      }),
    );
}
