import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../cli-error';
import { formatVerifyResult } from '../format';
import { formatQuarantine } from '../format-quarantine';
import { integerAtLeast } from '../option-parsers';

export function registerAdmin(program: Command, ctx: CommandContext): void {
  const admin = program.command('admin').description('operator commands');
  admin
    .command('rebuild')
    .description('rebuild every projection from the event log into a scratch schema and compare it with the live tables')
    .requiredOption('--verify', 'compare only; the live tables are left as they are (the only mode today)')
    .action(
      ctx.action(async (cmd) => {
        const result = await ctx.client(cmd).verifyProjections();
        ctx.print(cmd, result, () => formatVerifyResult(result));
        return result.equal ? ExitCode.Ok : ExitCode.Error;
      }),
    );

  // Messages a consumer could not apply and kept with their error (libs/quarantine).
  const quarantine = admin
    .command('quarantine')
    .description('list quarantined messages (dead letters): what a consumer could not apply, with its error')
    .option('--all', 'also those retried or dismissed')
    .option('--limit <n>', 'at most this many (newest first)', integerAtLeast(1), 100)
    .action(
      ctx.action(async (cmd) => {
        const o = cmd.opts<{ all?: boolean; limit: number }>();
        const page = await ctx.client(cmd).listQuarantine({ state: o.all ? 'all' : 'quarantined', limit: o.limit });
        ctx.print(cmd, page, () => formatQuarantine(page.items));
      }),
    );
  quarantine
    .command('retry')
    .description('apply a quarantined message again after its cause is fixed')
    .argument('<id>', 'dead letter id (db:<n>)')
    .action(
      ctx.action(async (cmd, id: string) => {
        const r = await ctx.client(cmd).retryQuarantined(id);
        ctx.print(cmd, r, () => (r.outcome === 'applied' ? `${id}: applied.\n` : `${id}: still failing (${r.code} ${r.message}); it stays quarantined.\n`));
        return r.outcome === 'applied' ? ExitCode.Ok : ExitCode.Error;
      }),
    );
  quarantine
    .command('dismiss')
    .description('accept the loss of a quarantined message: it no longer makes the service degraded')
    .argument('<id>', 'dead letter id (db:<n> or js:<n>)')
    .option('--reason <text>', 'why (recorded with the letter)')
    .action(
      ctx.action(async (cmd, id: string) => {
        const r = await ctx.client(cmd).dismissQuarantined(id, cmd.opts<{ reason?: string }>().reason);
        ctx.print(cmd, r, () => `${id}: dismissed.\n`);
      }),
    );
}
