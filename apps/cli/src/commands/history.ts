import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { parseExport, readRecording, simulate, type SimOptions } from '@trainyard/history';
import { parse as parseYaml } from 'yaml';
import { CliError, ExitCode, UsageError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { formatExplanation, formatSimReport } from '../format-history';
import { resourceId } from '../option-parsers';
import { type Checked, simCluster, simConfig } from '../sim-inputs';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const extraNodes = (value: string) => {
  const m = /^\+?(\d{1,4})$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected +N (nodes to add), e.g. +2');
  return Number(m[1]);
};

/** `yard explain` and `yard sim` (issue 17). */
export function registerHistory(program: Command, ctx: CommandContext): void {
  program
    .command('explain')
    .description('the chain of decisions that made a job what it is: admission, waits, placements, preemptions, recoveries')
    .argument('<id>', 'job id', resourceId)
    .action(
      ctx.action(async (cmd, id: string) => {
        const e = await ctx.client(cmd).explainJob(id);
        ctx.print(cmd, e, () => formatExplanation(e));
      }),
    );

  program
    .command('sim')
    .description('replay a recorded history (yard admin export) through the real planner on a virtual clock, as recorded or what-if')
    .requiredOption('--history <file>', 'an export (history.ndjson)')
    .option('--nodes <+N>', 'add N nodes shaped like the last one registered', extraNodes)
    .option('--cluster <file>', 'replace the recorded nodes (JSON or YAML: a list of { id, pool, capacity: { cpu, memoryMiB, gpu, npu }, labels })')
    .option('--config <file>', "the planner's policy (JSON or YAML: minRunTimeMs, reservationTtlMs, reservationBackoffMs, hourMs)")
    .action(
      ctx.action(async (cmd) => {
        const o = cmd.opts<{ history: string; nodes?: number; cluster?: string; config?: string }>();
        if (o.nodes !== undefined && o.cluster) throw new UsageError('give either --nodes or --cluster');
        const parsed = parseExport(await readText(o.history, ctx.env.cwd), sha256);
        if (!parsed.ok) throw new CliError('BAD_HISTORY', `${o.history}: ${parsed.errors.map((e) => `line ${e.line}: ${e.code} ${e.field} — ${e.message}`).join('; ')}`);
        const config = o.config ? checked(o.config, simConfig(await readDocument(o.config, ctx.env.cwd))) : undefined;
        const cluster = o.cluster ? checked(o.cluster, simCluster(await readDocument(o.cluster, ctx.env.cwd))) : undefined;
        const base: SimOptions = { ...(config?.hourMs !== undefined ? { hourMs: config.hourMs } : {}), ...(config ? { planner: config.planner } : {}) };
        const recording = readRecording(parsed.commits);
        // The replay on the recorded cluster is the yardstick a what-if is read against.
        const baseline = simulate(recording, base);
        const whatIf = o.nodes !== undefined || cluster
          ? simulate(recording, { ...base, ...(o.nodes !== undefined ? { extraNodes: o.nodes } : {}), ...(cluster ? { cluster } : {}) })
          : undefined;
        const strip = ({ placementsMade: _p, ...r }: ReturnType<typeof simulate>) => r;
        ctx.print(cmd, { baseline: strip(baseline), ...(whatIf ? { whatIf: strip(whatIf) } : {}) }, () => formatSimReport(baseline, whatIf));
      }),
    );
}

/** The checked value of a `--config`/`--cluster` file, or `CONFIG_INVALID` naming every offending field. */
function checked<T>(file: string, c: Checked<T>): T {
  if (c.ok) return c.value;
  throw new CliError('CONFIG_INVALID', `${file}: ${c.errors.map((e) => `${e.path || '(document)'}: ${e.code} — ${e.message}`).join('; ')}`, ExitCode.Usage, undefined, c.errors);
}

async function readText(file: string, cwd: string): Promise<string> {
  try {
    return await readFile(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new CliError('FILE_UNREADABLE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

async function readDocument(file: string, cwd: string): Promise<unknown> {
  const text = await readText(file, cwd);
  try {
    return parseYaml(text);
  } catch (err) {
    throw new CliError('FILE_UNREADABLE', `${file} is not JSON or YAML: ${(err as Error).message}`);
  }
}
