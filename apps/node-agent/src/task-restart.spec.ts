import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { anAssignment } from './assignment.fixture';
import { processGroup, requestStackDump, restartVerdict, type RestartRequest } from './task-restart';
import type { TaskExit, TaskHandle } from './task-runtime';

const request = (over: Partial<RestartRequest> = {}): RestartRequest => ({
  jobId: 'j1', task: 'worker-0', attempt: 1, procStartCount: 2, graceMs: 1000, reason: 'in-place-restart', ...over,
});

describe('restartVerdict - what a restart request means to this agent', () => {
  const desired = { assignment: anAssignment({ jobId: 'j1', task: 'worker-0', attempt: 1, procStartCount: 1 }) };
  it('restarts a known attempt once per start count', () => {
    expect(restartVerdict(desired, { phase: 'running', startReported: true }, request())).toBe('restart');
    expect(restartVerdict(desired, { phase: 'exited', startReported: true }, request())).toBe('restart');
    expect(restartVerdict(desired, undefined, request())).toBe('pending');
    expect(restartVerdict(desired, { phase: 'running', startReported: true }, request({ procStartCount: 1 }))).toBe('done');
  });
  it('ignores what it does not run here, and attempts being stopped', () => {
    expect(restartVerdict(undefined, undefined, request())).toBe('unknown');
    expect(restartVerdict(desired, undefined, request({ attempt: 2 }))).toBe('unknown');
    expect(restartVerdict({ ...desired, stop: { graceMs: 1, reason: 'x' } }, { phase: 'stopping', startReported: true }, request())).toBe('stopping');
  });
});

describe('requestStackDump - the signal reaches the task\'s processes, not the runtime\'s leader', () => {
  it('a supervisor-like leader survives; the script behind it prints its dump', async () => {
    // The leader traps nothing and would die of SIGUSR1; the script (its child) prints on SIGUSR1.
    const child = spawn('/bin/sh', ['-c', 'sh -c \'trap "echo DUMP" USR1; echo ready; while :; do sleep 1 & wait $!; done\'; echo leader-end'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<TaskExit>((r) => child.once('exit', (exitCode, signal) => r({ exitCode, signal })));
    const handle: TaskHandle = { pid: child.pid!, exited, stopRequested: false, stop: async () => (process.kill(-child.pid!, 'SIGKILL'), exited) };
    await new Promise<void>((r) => child.stdout!.on('data', () => out.includes('ready') && r()));
    expect((await processGroup(child.pid!)).at(-1)).toBe(child.pid);
    await requestStackDump(handle, 'SIGUSR1', 500);
    expect(out).toContain('DUMP');
    expect(child.exitCode).toBeNull();
    await handle.stop(0);
  });
});
