import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatTime, renderTable } from '../format';
import { instant, integerAtLeast } from '../option-parsers';

/** `yard audit`: what principals did, from the log (admins; a maintainer for its own project). */
export function registerAudit(program: Command, ctx: CommandContext): void {
  program
    .command('audit')
    .description('the commands principals gave, newest first: who, with which token, from where')
    .option('--actor <principal>', 'only this principal (user:alice)')
    .option('--project <id>', 'only jobs of this project (what a maintainer may read)')
    .option('--job <id>', 'only this job')
    .option('--since <time>', 'from this time (ISO-8601)', instant)
    .option('--until <time>', 'before this time (ISO-8601)', instant)
    .option('--limit <n>', 'at most this many', integerAtLeast(1), 100)
    .action(
      ctx.action(async (cmd) => {
        const o = cmd.opts<{ actor?: string; project?: string; job?: string; since?: string; until?: string; limit: number }>();
        const page = await ctx.client(cmd).audit(o);
        ctx.print(cmd, page, () =>
          renderTable(
            ['TIME', 'ACTOR', 'TOKEN', 'SOURCE', 'TARGET', 'WHAT'],
            page.items.map((e) => [formatTime(e.time), e.actor, e.tokenId ?? '-', e.source ?? '-', `${e.target.kind} ${e.target.id}`, e.types.join(',')]),
          ),
        );
      }),
    );
}
