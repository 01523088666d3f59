import { posix } from 'node:path';
import { shellQuote } from '../shell-quote';
import type { TaskPaths } from '../task-paths';
import type { LaunchProcess } from './launch-plan';
import { renderArgv, renderAssignments } from './shell-words';

/**
 * The shell text that runs one process or several in one task. One process runs in the foreground
 * (its variables prefixed). Several start in the background, each with its own variables; the task
 * ends when every non-companion process has ended, with status 0 — or at the first failure of any of
 * them, with that process's status, since the others would wait on it forever (collectives hang when
 * a rank is gone); the others get SIGTERM, and whatever they leave is killed by the runtime, as when a
 * container's main process ends. POSIX sh only: `wait -n` would be bash.
 *
 * `failureFile` carries the first failing status from the background subshell to the main shell.
 *
 * @example
 * processScript([{ argv: ['python', 't.py'], env: { RANK_ID: '0' } }], '/h/.launch-failed')
 * // "RANK_ID='0' python t.py"
 */
export function processScript(processes: readonly LaunchProcess[], failureFile: string): string {
  if (processes.length === 1 && !processes[0]!.companion) return line(processes[0]!);
  const out = [
    `# ${processes.length} processes in this task; the first failure ends it with that process's status`,
    `failed=${shellQuote(failureFile)}`,
    'rm -f "$failed"',
    `trap 'kill $pids 2>/dev/null; exit "$(cat "$failed" 2>/dev/null || echo 1)"' USR1`,
    'pids=',
    'main=',
  ];
  for (const p of processes) {
    // The subshell watches its process and passes a TERM on to it, so `kill $pids` ends the real
    // processes. $$ is the main shell even inside ( ): USR1 interrupts its wait.
    out.push(`(trap 'kill $c 2>/dev/null; exit 143' TERM; ${line(p)} & c=$!; wait $c || { echo $? >"$failed"; kill -USR1 $$; }) &`);
    out.push(p.companion ? 'pids="$pids $!"' : 'pids="$pids $!"; main="$main $!"');
  }
  out.push(
    'for pid in $main; do wait "$pid"; done',
    'if [ -s "$failed" ]; then kill $pids 2>/dev/null; exit "$(cat "$failed")"; fi',
    'kill $pids 2>/dev/null',
    'exit 0',
  );
  return out.join('\n');
}

/** Where `processScript` leaves the first failing status: inside the task's home, one per attempt. */
export const launchFailureFile = (paths: TaskPaths) => posix.join(paths.home, '.launch-failed');

function line(p: LaunchProcess): string {
  const assignments = renderAssignments(p.env);
  return assignments ? `${assignments} ${renderArgv(p.argv)}` : renderArgv(p.argv);
}
