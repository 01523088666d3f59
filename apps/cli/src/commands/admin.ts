import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../cli-error';
import { formatVerifyResult } from '../format';
import { formatQuarantine } from '../format-quarantine';
import { integerAtLeast } from '../option-parsers';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from '../cli-error';
import { timeBound } from '../time-bound';

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

  // History (issue 17): the log out as NDJSON, and into an empty cluster.
  admin
    .command('export')
    .description('write the event log as NDJSON (one commit a line, with sequence, subject, time and SHA-256): yard admin export > history.ndjson')
    .option('--since <when>', 'from this time (2h back, an ISO time) or sequence (seq:N)', (v) => timeBound(v, ctx.env.now()))
    .option('--until <when>', 'up to this time or sequence', (v) => timeBound(v, ctx.env.now()))
    .action(
      ctx.action(async (cmd) => {
        const o = cmd.opts<{ since?: string; until?: string }>();
        const decoder = new TextDecoder();
        for await (const chunk of await ctx.client(cmd).exportHistory({ since: o.since, until: o.until })) ctx.env.stdout(decoder.decode(chunk, { stream: true }));
      }),
    );
  admin
    .command('import')
    .description('load an export into a cluster with no jobs or nodes yet (before its scheduler, fault manager and agents start), in the recorded order')
    .argument('<file>', 'an export (history.ndjson)')
    .action(
      ctx.action(async (cmd, file: string) => {
        let text: string;
        try {
          text = await readFile(path.resolve(ctx.env.cwd, file), 'utf8');
        } catch (err) {
          throw new CliError('FILE_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`);
        }
        const r = await ctx.client(cmd).importHistory(text);
        ctx.print(cmd, r, () => `Imported ${r.imported} commit(s) (recorded ${r.recorded.first}–${r.recorded.last}) as sequences ${r.first}–${r.last}.\n`);
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
