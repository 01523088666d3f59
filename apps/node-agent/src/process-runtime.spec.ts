import { readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processRuntime } from './process-runtime';
import { LaunchError, type OutputStream, type TaskSpec } from './task-runtime';

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'ty-proc-')));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const runtime = processRuntime({ drainMs: 100 });
const spec = (command: string, extra: Partial<TaskSpec> = {}): TaskSpec => ({ command, cwd: dir, env: { PATH: process.env.PATH! }, ...extra });
const collect = () => {
  const lines: Array<[OutputStream, string]> = [];
  return { lines, sink: (s: OutputStream, t: string | Uint8Array) => void lines.push([s, typeof t === 'string' ? t : Buffer.from(t).toString()]) };
};
/** Running, not a zombie: PID 1 of a container may never reap an orphan the kill reparented to it. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};
/** Lines a script printed about itself, e.g. `pid=123`. */
const field = (lines: Array<[OutputStream, string]>, key: string) => Number(lines.find(([, t]) => t.startsWith(`${key}=`))![1].split('=')[1]);

describe('process runtime', () => {
  it('process runtime - streams stdout and stderr as lines, a last line without newline included, and reports the exit code', async () => {
    const { lines, sink } = collect();
    const task = await runtime.launch(spec(`echo one; echo two >&2; printf 'three'; exit 3`), sink);
    expect(task.pid).toBeGreaterThan(0);
    expect(await task.exited).toEqual({ exitCode: 3, signal: null });
    expect(lines.filter(([s]) => s === 'stdout').map(([, t]) => t)).toEqual(['one', 'three']);
    expect(lines.filter(([s]) => s === 'stderr').map(([, t]) => t)).toEqual(['two']);
  });

  it('process runtime - runs in the working dir with exactly the given environment, in its own process group', async () => {
    const { lines, sink } = collect();
    const task = await runtime.launch(
      spec(`pwd; echo "x=$TY_X"; echo "home=\${HOME-unset}"; echo "pgid=$(ps -o pgid= $$ | tr -d ' ')"`, {
        env: { PATH: process.env.PATH!, TY_X: "a 'b' $c" },
      }),
      sink,
    );
    await task.exited;
    expect(lines.map(([, t]) => t)).toEqual([dir, "x=a 'b' $c", 'home=unset', `pgid=${task.pid}`]);
  });

  it('process runtime - stop sends SIGTERM to the group; a script that traps it exits on its own terms', async () => {
    const { lines, sink } = collect();
    const task = await runtime.launch(spec(`trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done`), sink);
    await until(() => lines.length > 0);
    expect(task.stopRequested).toBe(false);
    expect(await task.stop(10_000)).toEqual({ exitCode: 7, signal: null });
    expect(task.stopRequested).toBe(true);
    // the group signal also ends the foreground sleep, which the shell may report as 'Terminated'
    expect(lines.map(([, t]) => t)).toContain('got TERM');
  });

  it('process runtime - a task that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
    const { lines, sink } = collect();
    const task = await runtime.launch(spec(`trap '' TERM; echo ready; sleep 30; echo never`), sink);
    await until(() => lines.length > 0);
    expect(await task.stop(200)).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(lines.map(([, t]) => t)).toEqual(['ready']);
    // a second stop only waits
    expect(await task.stop(0)).toEqual({ exitCode: null, signal: 'SIGKILL' });
  });

  it('process runtime - what the script left running in its group dies with it', async () => {
    const { lines, sink } = collect();
    const task = await runtime.launch(spec(`sleep 30 & echo "bg=$!"`), sink);
    expect(await task.exited).toEqual({ exitCode: 0, signal: null });
    // A killed process closes its pipes before it is a zombie: wait for the rest of its exit.
    const bg = field(lines, 'bg');
    await until(() => !alive(bg));
  });

  it('process runtime - a daemon that left the group cannot hold the exit report back', async () => {
    const { lines, sink } = collect();
    const task = await runtime.launch(spec(`setsid sleep 30 & echo "bg=$!"`), sink);
    expect(await task.exited).toEqual({ exitCode: 0, signal: null });
    process.kill(field(lines, 'bg'), 'SIGKILL');
  });

  it('process runtime - a slow sink back-pressures the task and still gets every line in order', async () => {
    const got: string[] = [];
    const task = await runtime.launch(spec(`seq 1 20000`), (_s, t) => {
      got.push(String(t));
      return Number(t) % 2000 === 0 ? new Promise((r) => setTimeout(r, 20)) : undefined;
    });
    expect(await task.exited).toEqual({ exitCode: 0, signal: null });
    expect(got).toEqual(Array.from({ length: 20000 }, (_, i) => String(i + 1)));
  });

  it('process runtime - a missing working dir is a LaunchError and nothing runs', async () => {
    await expect(runtime.launch(spec('echo hi', { cwd: join(dir, 'nope') }), () => {})).rejects.toThrow(LaunchError);
    await expect(runtime.launch(spec('echo hi', { cwd: join(dir, 'nope') }), () => {})).rejects.toThrow(/does not exist/);
  });

  it('process runtime - an environment the OS cannot take is a LaunchError', async () => {
    await expect(runtime.launch(spec('echo hi', { env: { BAD: 'a\0b' } }), () => {})).rejects.toThrow(LaunchError);
  });
});

async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 10));
}
