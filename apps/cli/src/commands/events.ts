import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { resourceId } from '../option-parsers';
import { formatEventsTable } from '../format';

export function registerEvents(program: Command, ctx: CommandContext): void {
  program
    .command('events')
    .description("show a job's event history, oldest first")
    .argument('<id>', 'job id', resourceId)
    .option('--zh', 'show the Chinese message text (训练作业…)')
    .action(
      ctx.action(async (cmd, id: string) => {
        const events = await ctx.client(cmd).listEvents(id);
        ctx.print(cmd, events, () => formatEventsTable(events.items, { zh: cmd.opts<{ zh?: boolean }>().zh === true }));
      }),
    );
}
