import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { jobState, positiveSeconds, resourceId } from '../option-parsers';
import { TERMINAL_STATES } from '../wait-verdict';
import { waitForState } from '../wait-for-state';

interface WaitCommandOptions {
  for: string;
  timeout?: number;
  interval: number;
}

export function registerWait(program: Command, ctx: CommandContext): void {
  program
    .command('wait')
    .description(
      `wait until a job reaches a state. Exits 0 when it does, 1 as soon as the job ends in another ` +
        `terminal state (${TERMINAL_STATES.join(', ')}) or is deleted, 124 on --timeout`,
    )
    .argument('<id>', 'job id', resourceId)
    .requiredOption('--for <state>', 'state to wait for, e.g. running or completed', jobState)
    .option('--timeout <seconds>', 'give up after this long (default: wait as long as it takes)', positiveSeconds)
    .option('--interval <seconds>', 'time between polls', positiveSeconds, 2)
    .action(
      ctx.action(async (cmd, id: string) => {
        const opts = cmd.opts<WaitCommandOptions>();
        const client = ctx.client(cmd);
        const json = ctx.json(cmd);
        const job = await waitForState(
          id,
          { target: opts.for, timeoutMs: opts.timeout === undefined ? undefined : opts.timeout * 1000, intervalMs: opts.interval * 1000 },
          {
            getJob: (jobId) => client.getJob(jobId),
            now: () => ctx.env.now().getTime(),
            sleep: (ms) => ctx.env.sleep(ms, ctx.env.signal),
            // Progress goes to stderr so stdout stays the single answer.
            onState: json ? undefined : (state) => ctx.env.stderr(`job ${id}: ${state}\n`),
          },
        );
        ctx.print(cmd, job ?? null, () => `job ${id} is ${opts.for}\n`);
      }),
    );
}
