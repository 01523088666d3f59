import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { integerBetween, resourceId, taskName } from '../option-parsers';

/**
 * `yard exec ID --task worker-0 -- CMD [ARGS…]` (issue 15): runs CMD in the running task as its user, in
 * its working directory, and prints what it printed — stdout to stdout, stderr to stderr — exiting with
 * its exit code (124 after a time-out, like timeout(1)). `-o json` prints the API's answer instead.
 */
export function registerExec(program: Command, ctx: CommandContext): void {
  program
    .command('exec')
    .description('run a command in a running task (as its user, in its working directory); recorded in the job history and the audit')
    .argument('<id>', 'job id', resourceId)
    .argument('<command...>', 'the program and its arguments, after --')
    .requiredOption('--task <name>', 'the task, e.g. worker-0', taskName)
    .option('--timeout <seconds>', 'kill it after this long (1-600, default 30)', integerBetween(1, 600))
    .action(
      ctx.action(async (cmd, id: string, command: string[]) => {
        const o = cmd.opts<{ task: string; timeout?: number }>();
        const r = await ctx.client(cmd).execInTask(id, o.task, command, o.timeout);
        const format = ctx.format(cmd);
        if (format === 'json' || format === 'yaml') {
          ctx.print(cmd, r, () => '');
        } else {
          ctx.env.stdout(r.stdout);
          if (r.stderr) ctx.env.stderr(r.stderr);
          if (r.truncated) ctx.env.stderr(`[yard] output cut at 1 MiB per stream\n`);
          if (r.timedOut) ctx.env.stderr(`[yard] killed after the time-out\n`);
        }
        if (r.timedOut) return 124;
        return r.exitCode ?? 128;
      }),
    );
}
