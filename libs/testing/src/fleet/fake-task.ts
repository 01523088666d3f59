/**
 * What a simulated task does (issue 19's fleet simulator): the job's command is not run, it is read as
 * `fake run=<ms> exit=<code> fail-attempts=<n>`; `run=hold` runs until stopped. Pure, so the schedule is
 * unit-tested; the fake runtime (bench/scale-fleet.ts) only waits and resolves.
 */
export interface FakeTaskPlan {
  /** Run time in ms, or `hold`: until the agent stops it. */
  runMs: number | 'hold';
  exitCode: number;
}

export class FakeCommandError extends Error {
  override readonly name = 'FakeCommandError';
}

/** The plan of attempt `attempt` (1-based): attempts up to `fail-attempts` exit 1, later ones `exit`. */
export function fakeTaskPlan(command: string, attempt: number): FakeTaskPlan {
  const words = command.trim().split(/\s+/);
  if (words[0] !== 'fake') throw new FakeCommandError(`not a fake command: ${JSON.stringify(command)}`);
  let runMs: number | 'hold' = 0;
  let exitCode = 0;
  let failAttempts = 0;
  for (const word of words.slice(1)) {
    const [key, value] = word.split('=', 2);
    const n = Number(value);
    if (key === 'run' && value === 'hold') runMs = 'hold';
    else if (key === 'run' && Number.isInteger(n) && n >= 0) runMs = n;
    else if (key === 'exit' && Number.isInteger(n) && n >= 0 && n <= 255) exitCode = n;
    else if (key === 'fail-attempts' && Number.isInteger(n) && n >= 0) failAttempts = n;
    else throw new FakeCommandError(`bad word ${JSON.stringify(word)} in ${JSON.stringify(command)}`);
  }
  return { runMs, exitCode: attempt <= failAttempts ? 1 : exitCode };
}
