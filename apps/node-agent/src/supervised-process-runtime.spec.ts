import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processStartTicks } from './launch-record';
import { supervisedProcessRuntime } from './supervised-process-runtime';
import { runFiles } from './task-supervisor';
import type { OutputStream, TaskIdentity, TaskSpec } from './task-runtime';

const root = mkdtempSync(join(tmpdir(), 'ty-supervised-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const stateDir = join(root, 'launches');
const runtime = () => supervisedProcessRuntime({ stateDir, pollMs: 20 });

let n = 0;
const identity = (): TaskIdentity => ({ nodeId: 'n1', jobId: 'job-s', task: `worker-${n++}`, attempt: 1 });
const spec = (command: string, id = identity()): TaskSpec => ({ command, cwd: root, env: { PATH: process.env.PATH!, WHO: 'task' }, identity: id });

function collector() {
  const lines: [OutputStream, string][] = [];
  return { lines, sink: (s: OutputStream, t: string | Uint8Array) => void lines.push([s, String(t)]) };
}

const alive = async (pid: number) => (await processStartTicks(pid)) !== undefined;

describe('supervised process runtime - tasks under a shell supervisor, output and exit in files', () => {
  it('runs the command with exactly the env, in the working dir; both outputs in order; the exit code', async () => {
    const out = collector();
    const task = await runtime().launch(spec('echo "$WHO in $(pwd)"; echo warn >&2; printf "no newline"; exit 4'), out.sink);
    expect(await task.exited).toEqual({ exitCode: 4, signal: null });
    expect(out.lines).toEqual([['stdout', `task in ${root}`], ['stderr', 'warn'], ['stdout', 'no newline']]);
  });

  it('stops with a grace period: TERM reaches the group; a task that ignores it is killed; leftovers die with the main process', async () => {
    const ready = collector();
    const polite = await runtime().launch(spec('trap "echo bye; exit 0" TERM; echo up; while true; do sleep 0.05; done'), ready.sink);
    for (let i = 0; i < 100 && ready.lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await polite.stop(10_000)).toEqual({ exitCode: 0, signal: null });
    // A handler's own `exit 143` is an exit code, a death by SIGTERM a signal.
    const up = collector();
    const handler = await runtime().launch(spec('trap "exit 143" TERM; echo up; while true; do sleep 0.05; done'), up.sink);
    for (let i = 0; i < 100 && up.lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await handler.stop(10_000)).toEqual({ exitCode: 143, signal: null });
    const killed = await runtime().launch(spec('exec sleep 30'), collector().sink);
    expect(await killed.stop(10_000)).toEqual({ exitCode: null, signal: 'SIGTERM' });

    // Stop only once the trap is set: a TERM that lands before it would simply end the shell.
    const armed = collector();
    const stubborn = await runtime().launch(spec('trap "" TERM; echo armed; while true; do sleep 0.05; done'), armed.sink);
    for (let i = 0; i < 100 && armed.lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await stubborn.stop(100)).toEqual({ exitCode: null, signal: 'SIGKILL' });

    const id = identity();
    const leaver = await runtime().launch(spec('sleep 300 & echo $! > child.pid; exit 0', id), collector().sink);
    expect(await leaver.exited).toEqual({ exitCode: 0, signal: null });
    const child = Number(readFileSync(join(root, 'child.pid'), 'utf8'));
    for (let i = 0; i < 50 && (await alive(child)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await alive(child)).toBe(false);
  });

  it('a new runtime adopts a running task: the same lines in the same order from the first, then the rest, and the real exit', async () => {
    const id = identity();
    const first = collector();
    const cmd = 'for i in 1 2 3 4 5 6 7 8; do echo "out $i"; echo "err $i" >&2; sleep 0.1; done; exit 9';
    const original = await runtime().launch(spec(cmd, id), first.sink);
    await new Promise((r) => setTimeout(r, 350));
    original.detach?.(); // the agent goes away; the task does not
    const seen = first.lines.length;
    expect(seen).toBeGreaterThan(0);

    const again = collector();
    const adopted = await runtime().adopt!(id, again.sink);
    expect(await adopted!.exited).toEqual({ exitCode: 9, signal: null });
    expect(again.lines).toHaveLength(16);
    // The replay reproduces the first reading exactly (the journal keeps the interleaving).
    expect(again.lines.slice(0, seen)).toEqual(first.lines.slice(0, seen));
    expect(new Set(again.lines.map(([s, t]) => `${s}:${t}`)).size).toBe(16);
  });

  it('a task that ended while no agent followed it still gives its output and exit; release removes its files', async () => {
    const id = identity();
    const t = await runtime().launch(spec('echo one; echo two >&2; kill -TERM $$', id), collector().sink);
    t.detach?.();
    for (let i = 0; i < 100 && !existsSync(runFiles(stateDir, id).exit); i++) await new Promise((r) => setTimeout(r, 20));
    const late = collector();
    const adopted = await runtime().adopt!(id, late.sink);
    expect(await adopted!.exited).toEqual({ exitCode: null, signal: 'SIGTERM' });
    expect(late.lines).toEqual([['stdout', 'one'], ['stderr', 'two']]);
    await adopted!.release?.();
    expect(existsSync(runFiles(stateDir, id).dir)).toBe(false);
    expect(await runtime().adopt!(id, collector().sink)).toBeUndefined();
  });

  it('the same attempt launched again after its process ended starts afresh; while it runs it is refused', async () => {
    const id = identity();
    const first = await runtime().launch(spec('echo first; exit 1', id), collector().sink);
    expect(await first.exited).toEqual({ exitCode: 1, signal: null });
    const out = collector();
    const again = await runtime().launch(spec('echo second; sleep 1', id), out.sink);
    await expect(runtime().launch(spec('echo third', id), collector().sink)).rejects.toThrow(/launched before/);
    expect(await again.exited).toEqual({ exitCode: 0, signal: null });
    expect(out.lines).toEqual([['stdout', 'second']]);
  });

  it('refuses a missing working dir and a spec without identity, leaving nothing running', async () => {
    await expect(runtime().launch({ ...spec('true'), cwd: join(root, 'nope') }, collector().sink)).rejects.toThrow(/working directory .* does not exist/);
    await expect(runtime().launch({ ...spec('true'), identity: undefined }, collector().sink)).rejects.toThrow(/identity/);
  });

  it('knows whether an attempt ever ran: never launched → no; a supervisor the agent did not note is found by its run dir and adopted', async () => {
    const never = identity();
    expect(await runtime().everStarted!(never)).toBe(false);
    // The agent died between spawning the supervisor and writing its note: adopt finds it in /proc.
    const id = identity();
    const first = collector();
    const task = await runtime().launch(spec('echo one; sleep 0.5; echo two', id), first.sink);
    task.detach!();
    rmSync(runFiles(stateDir, id).supervisor);
    const again = collector();
    const adopted = await runtime().adopt!(id, again.sink);
    expect(adopted?.pid).toBe(task.pid);
    expect(await adopted!.exited).toEqual({ exitCode: 0, signal: null });
    expect(again.lines).toEqual([['stdout', 'one'], ['stdout', 'two']]);
    expect(await runtime().everStarted!(id)).toBe(true);
    // Not noted, and it ran to its end before an agent came back: adopted from what it left, its real exit.
    const ended = identity();
    const gone = await runtime().launch(spec('echo ran; exit 3', ended), collector().sink);
    gone.detach!();
    rmSync(runFiles(stateDir, ended).supervisor);
    for (let i = 0; i < 250 && !existsSync(runFiles(stateDir, ended).exit); i++) await new Promise((r) => setTimeout(r, 20));
    const late = collector();
    const found = await runtime().adopt!(ended, late.sink);
    expect(found).toBeDefined();
    expect(await found!.exited).toEqual({ exitCode: 3, signal: null });
    expect(late.lines).toEqual([['stdout', 'ran']]);
    expect(await found!.stop(10)).toEqual({ exitCode: 3, signal: null });
    // A run dir holding nothing but its empty output files never ran a command.
    const empty = identity();
    const files = runFiles(stateDir, empty);
    mkdirSync(files.dir, { recursive: true });
    writeFileSync(files.stdout, '');
    expect(await runtime().everStarted!(empty)).toBe(false);
    expect(await runtime().adopt!(empty, collector().sink)).toBeUndefined();
  });
});
