import type { Command } from 'commander';
import type { ApiClient } from '../api-client';
import type { LogLine } from '@trainyard/contracts';
import type { CommandContext } from '../command-context';
import { formatAttemptBanner, formatLogLine } from '../format';
import { followLog } from '../log-follow';
import { integerAtLeast, resourceId, taskName, text } from '../option-parsers';
import { formatSearchHit, grepLogs } from '../log-grep';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';

interface LogsOptions {
  task: string;
  attempt?: number;
  follow?: boolean;
  grep?: string;
  regex?: boolean;
  ignoreCase?: boolean;
  maxHits: number;
  tail?: number;
  since?: string;
  until?: string;
  download?: string | true;
}

/** Lines asked for per request when reading a finished log page by page. */
const PAGE_SIZE = 1000;

export function registerLogs(program: Command, ctx: CommandContext): void {
  program
    .command('logs')
    .description("print a task's output (stdout and stderr, in order)")
    .argument('<id>', 'job id', resourceId)
    .option('--task <name>', 'task to read', taskName, 'worker-0')
    .option('--attempt <n>', 'job attempt to read (default: the latest one with output)', integerAtLeast(1))
    .option('-f, --follow', 'keep streaming until the task ends (Ctrl-C to stop)')
    .option('--grep <pattern>', "search every task's log of the job (only --task's when given) for a substring; prints task:line: text", text(1000))
    .option('--regex', '--grep PATTERN is a regular expression (PostgreSQL syntax)')
    .option('-i, --ignore-case', '--grep ignores case')
    .option('--max-hits <n>', '--grep stops after this many hits', integerAtLeast(1), 1000)
    .option('--tail <n>', 'only the last N lines', integerAtLeast(1))
    .option('--since <time>', 'only lines read at or after this ISO-8601 time')
    .option('--until <time>', 'only lines read before this ISO-8601 time')
    .option('--download [file]', "save the task's log (with --task) or all of the job's logs as .tar.gz (default: the guide's file name)")
    .action(
      ctx.action(async (cmd, id: string) => {
        const opts = cmd.opts<LogsOptions>();
        const client = ctx.client(cmd);
        const json = ctx.json(cmd);
        const taskGiven = cmd.getOptionValueSource('task') !== 'default';
        if (opts.grep !== undefined) {
          const q = { pattern: opts.grep, regex: !!opts.regex, ignoreCase: !!opts.ignoreCase, task: taskGiven ? opts.task : undefined, attempt: opts.attempt, max: opts.maxHits };
          const n = await grepLogs(client, id, q, (h) => ctx.printItem(cmd, h, () => formatSearchHit(h)));
          // grep's convention: 1 when nothing matched.
          return n === 0 ? 1 : 0;
        }
        if (opts.download !== undefined) {
          const { fileName, body } = await client.downloadLogs(id, taskGiven ? opts.task : undefined);
          const path = resolve(ctx.env.cwd, opts.download === true ? fileName : opts.download);
          const out = createWriteStream(path);
          let bytes = 0;
          for await (const chunk of body) {
            bytes += chunk.length;
            if (!out.write(chunk)) await once(out, 'drain');
          }
          out.end();
          await once(out, 'close');
          ctx.env.stderr(`saved ${bytes} bytes to ${path}\n`);
          return;
        }
        const print = linePrinter(ctx, cmd, opts.task, json);
        if (opts.tail !== undefined) {
          const page = await client.getLogs(id, opts.task, { attempt: opts.attempt, tail: opts.tail });
          if (json) ctx.print(cmd, page, () => '');
          else page.items.forEach(print);
          return;
        }
        if (!opts.follow) return printAll(ctx, cmd, client, id, opts, json, print);

        const end = await followLog(
          client,
          { jobId: id, task: opts.task, attempt: opts.attempt },
          { line: print, notice: (text) => ctx.env.stderr(text) },
          { sleep: (ms) => ctx.env.sleep(ms, ctx.env.signal) },
        );
        if (!json) ctx.env.stderr(`--- ${opts.task} ended: ${end.state} ---\n`);
      }),
    );
}

/** Prints log lines as they arrive; a banner marks the switch to another attempt (the task was restarted). */
function linePrinter(ctx: CommandContext, cmd: Command, task: string, json: boolean): (line: LogLine) => void {
  let attempt: number | undefined;
  return (line) => {
    if (json) return ctx.printItem(cmd, line, () => '');
    if (attempt !== undefined && line.attempt !== attempt) ctx.env.stdout(formatAttemptBanner(task, line.attempt));
    attempt = line.attempt;
    ctx.env.stdout(formatLogLine(line));
  };
}

/**
 * Reads a log to its current end, page by page, printing as it goes so a long log starts showing at once.
 * With `--json`, the pages are joined into one answer of the API's shape.
 */
async function printAll(
  ctx: CommandContext,
  cmd: Command,
  client: ApiClient,
  id: string,
  opts: LogsOptions,
  json: boolean,
  print: (line: LogLine) => void,
): Promise<void> {
  const all: LogLine[] = [];
  let afterSeq: number | undefined;
  let attempt = opts.attempt;
  for (;;) {
    const page = await client.getLogs(id, opts.task, { attempt, afterSeq, limit: PAGE_SIZE, from: opts.since, to: opts.until });
    // seq counts lines within one attempt: keep reading the attempt the API chose for the first page.
    attempt ??= page.items[0]?.attempt;
    if (json) all.push(...page.items);
    else page.items.forEach(print);
    const next = page.nextSeq ?? page.items.at(-1)?.seq;
    // An empty page, or a cursor that does not move, is the end of what is stored.
    if (page.items.length === 0 || next === undefined || next === afterSeq) {
      if (json) ctx.print(cmd, { items: all, nextSeq: next ?? afterSeq ?? 0 }, () => '');
      return;
    }
    afterSeq = next;
  }
}
