import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killLeftover, LaunchRecords, processStartTicks } from './launch-record';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ty-rec-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));
const ref = { jobId: 'j1', task: 'worker-0', attempt: 2 };

describe('launch records', () => {
  it('launch records - written, updated and listed across instances (a restarted agent reads them)', async () => {
    await new LaunchRecords(dir).write({ ...ref, launchedAt: 't' });
    await new LaunchRecords(dir).update(ref, { pid: 42, exitReported: true });
    expect(await new LaunchRecords(dir).list()).toEqual([{ ...ref, launchedAt: 't', pid: 42, exitReported: true }]);
    expect(await new LaunchRecords(join(dir, 'empty')).list()).toEqual([]);
  });

  it('launch records - changes made at once are applied one after the other, none lost', async () => {
    const records = new LaunchRecords(dir);
    await records.write({ ...ref, launchedAt: 't' });
    await Promise.all([records.update(ref, { startReported: true }), records.update(ref, { stop: { graceMs: 5, reason: 'user' } }), records.update(ref, { exitReported: true })]);
    expect(await records.read(ref)).toEqual({ ...ref, launchedAt: 't', startReported: true, stop: { graceMs: 5, reason: 'user' }, exitReported: true });
  });

  it('launch records - a leftover process group is killed only if its leader is the process recorded', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 30'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', (_c, s) => r(s)));
    const pidStart = await processStartTicks(child.pid!);
    expect(pidStart).toMatch(/^\d+$/);
    expect(await killLeftover({ ...ref, launchedAt: 't', pid: child.pid, pidStart: `${pidStart}0` })).toBe(false);
    expect(await killLeftover({ ...ref, launchedAt: 't', pid: child.pid, pidStart })).toBe(true);
    expect(await exited).toBe('SIGKILL');
    expect(await killLeftover({ ...ref, launchedAt: 't' })).toBe(false);
  });
});
