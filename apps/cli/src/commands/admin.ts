import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../cli-error';
import { formatVerifyResult } from '../format';

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
}
