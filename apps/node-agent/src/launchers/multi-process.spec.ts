import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LaunchProcess } from './launch-plan';
import { processScript } from './multi-process';

const dir = mkdtempSync(join(tmpdir(), 'ty-multi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sh = (snippet: string, extra: Partial<LaunchProcess> = {}): LaunchProcess => ({ argv: ['/bin/sh', '-c', snippet], env: {}, ...extra });

/** Runs the script as the process runtime does: own process group, whatever is left killed at exit. */
function run(processes: LaunchProcess[]): Promise<{ status: number | null; stdout: string }> {
  const child = spawn('/bin/sh', ['-c', processScript(processes, join(dir, 'failed'))], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const closed = new Promise((resolve) => child.stdout.once('close', resolve));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (status) => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is gone already
      }
      resolve(status);
    }),
  );
  return Promise.all([exited, closed]).then(([status]) => ({ status, stdout }));
}

describe('multi-process script', () => {
  it('multi-process - waits for every process and exits 0', async () => {
    const r = await run([sh('sleep 0.3; echo a'), sh('echo b')]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['a', 'b']);
  });

  // Without the fail-fast these would wait for `sleep 600`: the test would time out.
  it('multi-process - the first failure ends the task at once with that status, though another process would wait forever', async () => {
    expect((await run([sh('exec sleep 600'), sh('sleep 0.2; exit 7')])).status).toBe(7);
  });

  it('multi-process - a process killed by a signal fails the task with 128 + signal', async () => {
    expect((await run([sh('exec sleep 600'), sh('kill -9 $$')])).status).toBe(137);
  });

  it('multi-process - a companion does not hold the task open, but its failure fails it', async () => {
    expect((await run([sh('exec sleep 600', { companion: true }), sh('echo done')])).status).toBe(0);
    expect((await run([sh('exit 3', { companion: true }), sh('exec sleep 600')])).status).toBe(3);
  });

  it('multi-process - each process gets its own variables, quoted', async () => {
    const r = await run([sh('echo "$X"', { env: { X: "it's $HOME" } }), sh('echo "${X:-unset}"')]);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(["it's $HOME", 'unset']);
  });

  it('multi-process - one process runs in the foreground with its variables as prefixes', () =>
    expect(processScript([{ argv: ['python', 'a b.py'], env: { RANK_ID: '0' } }], '/x')).toBe("RANK_ID='0' python 'a b.py'"));
});
