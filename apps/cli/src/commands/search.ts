import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { formatSearch, formatSearches } from '../format-search';
import { decodeText, parseSpecText, resolveCodeDir } from '../spec-file';

/** `yard search create FILE | list | show ID | stop ID` (issue 15): hyperparameter searches. */
export function registerSearch(program: Command, ctx: CommandContext): void {
  const search = program.command('search').description('hyperparameter searches: trials are jobs from a template, scored by a metric read from their logs');

  search
    .command('create')
    .description('create a search from a file (YAML or JSON: kind search, metadata, search, job); prints its id')
    .argument('<file>', 'the search document')
    .action(
      ctx.action(async (cmd, file: string) => {
        const body = await loadSearchFile(file, process.cwd());
        const s = await ctx.client(cmd).createSearch(body);
        ctx.print(cmd, s, () => `${s.id}\n`);
      }),
    );

  search
    .command('list')
    .description('the searches you may read, newest first')
    .option('--project <id>', 'of this project only')
    .option('--status <status>', 'running, stopping, completed or stopped')
    .action(
      ctx.action(async (cmd, opts: { project?: string; status?: string }) => {
        const r = await ctx.client(cmd).listSearches(opts);
        ctx.print(cmd, r, () => formatSearches(r.items));
      }),
    );

  search
    .command('show')
    .description('a search, its best trial and every trial')
    .argument('<id>', 'search id')
    .action(
      ctx.action(async (cmd, id: string) => {
        const s = await ctx.client(cmd).getSearch(id);
        ctx.print(cmd, s, () => formatSearch(s));
      }),
    );

  search
    .command('stop')
    .description('stop a search: no new trial, running trials are stopped')
    .argument('<id>', 'search id')
    .action(
      ctx.action(async (cmd, id: string) => {
        const s = await ctx.client(cmd).stopSearch(id);
        ctx.print(cmd, s, () => `search ${id} ${s.status}\n`);
      }),
    );
}

/** The file as the API takes it; the trial template's relative `codeDir` made absolute against the file's directory, as `yard submit` does. */
async function loadSearchFile(file: string, cwd: string): Promise<Record<string, unknown>> {
  const absolute = path.resolve(cwd, file);
  const bytes = await readFile(absolute).catch((err: NodeJS.ErrnoException) => {
    throw new CliError('SPEC_FILE_UNREADABLE', `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, undefined, { cause: err });
  });
  const doc = parseSpecText(decodeText(bytes, file), file) as unknown as Record<string, unknown>;
  const job = doc.job;
  if (job && typeof job === 'object' && !Array.isArray(job)) doc.job = resolveCodeDir(job as never, path.dirname(absolute));
  return doc;
}
