import { mkdtempSync, readFileSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFilters } from './container-create-options';
import { containerRuntime } from './container-runtime';
import { requireContainerEngine, TEST_IMAGE, TEST_SOCKET } from './container-runtime.fixture';
import { LaunchError, type OutputStream, type TaskIdentity, type TaskSpec } from './task-runtime';

const run = Math.random().toString(36).slice(2, 8);
const id = (task: string): TaskIdentity => ({ nodeId: `int-${run}`, jobId: 'job-c', task, attempt: 1 });

function collector() {
  const lines: [OutputStream, string][] = [];
  return { lines, sink: (stream: OutputStream, text: string | Uint8Array) => void lines.push([stream, String(text)]) };
}

describe('container runtime - tasks as containers on the real engine (Podman Docker-compatible API)', () => {
  let docker: Docker;
  let dir: string;
  const runtime = containerRuntime({ socketPath: TEST_SOCKET, shmSizeBytes: 256 * 2 ** 20 });
  const spec = (task: string, command: string, extra: Partial<TaskSpec> = {}): TaskSpec => ({
    command,
    cwd: '/home/ma-user',
    env: { GREETING: 'hi', PATH: '/bin' },
    identity: id(task),
    container: { image: TEST_IMAGE, mounts: [{ source: dir, target: '/home/ma-user/modelarts' }] },
    ...extra,
  });

  beforeAll(async () => {
    docker = await requireContainerEngine();
    dir = mkdtempSync(join(tmpdir(), 'ty-container-'));
    writeFileSync(join(dir, 'input.txt'), 'from the host\n');
    chownSync(dir, 1000, 1000);
  });
  afterAll(async () => {
    const left = await docker?.listContainers({ all: true, filters: { label: [`io.trainyard.node=int-${run}`] } });
    for (const c of left ?? []) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the command as uid 1000 in the working dir with the env, the mounts, the shm size and the labels; streams each output in order; reports the exit code', async () => {
    const out = collector();
    const cmd = 'id -u; pwd; echo "$GREETING"; cat modelarts/input.txt; echo oops >&2; df -k /dev/shm | tail -1 | awk \'{print "shm=" $2}\'; echo made > modelarts/out.txt; exit 3';
    const task = await runtime.launch(spec('worker-0', cmd), out.sink);
    const [container] = await docker.listContainers({ filters: { label: identityFilters(id('worker-0')) }, all: true });
    expect(container.Labels).toMatchObject({ 'io.trainyard.job': 'job-c', 'io.trainyard.task': 'worker-0', 'io.trainyard.attempt': '1' });
    expect(await task.exited).toEqual({ exitCode: 3, signal: null });
    // Each stream in its own order; the engine does not define how stdout and stderr interleave.
    expect(out.lines.filter(([s]) => s === 'stdout').map(([, t]) => t)).toEqual(['1000', '/home/ma-user', 'hi', 'from the host', 'shm=262144']);
    expect(out.lines.filter(([s]) => s === 'stderr').map(([, t]) => t)).toEqual(['oops']);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('made\n');
    await task.release?.();
    expect(await docker.listContainers({ all: true, filters: { label: identityFilters(id('worker-0')) } })).toEqual([]);
  });

  it('exec (yard exec): a command runs inside the running container as its user, in its working dir, with its environment; stdout and stderr apart; its exit code; killed at its time-out', async () => {
    const task = await runtime.launch(spec('worker-9', 'echo up; while true; do sleep 0.1; done'), collector().sink);
    const r = await task.exec!(['sh', '-c', 'id -u; pwd; echo "$GREETING"; echo oops >&2; exit 4'], 10_000);
    expect(r).toEqual({ exitCode: 4, signal: null, stdout: '1000\n/home/ma-user\nhi\n', stderr: 'oops\n', truncated: false, timedOut: false });
    // A command the image does not have: the engine's own answer, not a thrown error.
    expect((await task.exec!(['no-such-command'], 10_000)).exitCode).not.toBe(0);
    const slow = await task.exec!(['sleep', '30'], 500);
    expect(slow).toMatchObject({ timedOut: true, exitCode: null });
    // The task itself ran on untouched.
    expect((await task.exec!(['true'], 10_000)).exitCode).toBe(0);
    expect(await task.stop(300)).toMatchObject({ signal: expect.anything() });
    await task.release?.();
  });

  it('stops with a grace period: SIGTERM first, SIGKILL when the task ignores it', async () => {
    const politeOut = collector();
    const stubbornOut = collector();
    const polite = await runtime.launch(spec('worker-1', 'trap "echo bye; exit 0" TERM; echo up; while true; do sleep 0.1; done'), politeOut.sink);
    const stubborn = await runtime.launch(spec('worker-2', 'trap "" TERM; echo up; while true; do sleep 0.1; done'), stubbornOut.sink);
    // Stop only once both traps are set (each prints `up` after its trap): a TERM before would just end the shell.
    for (let i = 0; i < 500 && (politeOut.lines.length === 0 || stubbornOut.lines.length === 0); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await polite.stop(10_000)).toEqual({ exitCode: 0, signal: null });
    expect(await stubborn.stop(300)).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(polite.stopRequested && stubborn.stopRequested).toBe(true);
    await Promise.all([polite.release?.(), stubborn.release?.()]);
  });

  it('adopts a running container by its labels: the output from the first line, then the rest, and the exit code', async () => {
    const first = collector();
    const cmd = 'for i in 1 2 3 4 5 6; do echo "line $i"; [ $i = 3 ] && echo half >&2; sleep 0.3; done; exit 7';
    await runtime.launch(spec('worker-3', cmd), first.sink);
    await new Promise((r) => setTimeout(r, 700));
    // A second runtime, as in a restarted agent.
    const again = collector();
    const adopted = await containerRuntime({ socketPath: TEST_SOCKET }).adopt!(id('worker-3'), again.sink);
    expect(adopted).toBeDefined();
    expect(await adopted!.exited).toEqual({ exitCode: 7, signal: null });
    // Each stream in its own order; the engine does not define how stdout and stderr interleave.
    expect(again.lines.filter(([s]) => s === 'stdout').map(([, t]) => t)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(again.lines.filter(([s]) => s === 'stderr').map(([, t]) => t)).toEqual(['half']);
    // Ended while nobody watched: the exit and the log are still there.
    const late = collector();
    const ended = await containerRuntime({ socketPath: TEST_SOCKET }).adopt!(id('worker-3'), late.sink);
    expect(await ended!.exited).toEqual({ exitCode: 7, signal: null });
    expect(late.lines).toEqual(again.lines);
    await ended!.release?.();
    expect(await runtime.adopt!(id('worker-3'), collector().sink)).toBeUndefined();
  });

  it('fails to launch, leaving nothing behind, without an image, with an unknown image, or twice for one attempt', async () => {
    await expect(runtime.launch({ ...spec('worker-4', 'true'), container: undefined }, collector().sink)).rejects.toThrow(LaunchError);
    await expect(runtime.launch({ ...spec('worker-4', 'true'), container: { image: 'localhost/no-such-image:never', mounts: [] } }, collector().sink)).rejects.toThrow(
      /image localhost\/no-such-image:never is not on this node and cannot be pulled/,
    );
    const once = await runtime.launch(spec('worker-5', 'sleep 5'), collector().sink);
    await expect(runtime.launch(spec('worker-5', 'true'), collector().sink)).rejects.toThrow(/launched before/);
    await once.stop(100);
    await once.release?.();
  });

  it('reads a running container\'s CPU and memory counters through the engine stats API (for the resource sampler)', async () => {
    // Busy on one core. It prints first: on Podman the launch waits for the first log output.
    const task = await runtime.launch(spec('worker-6', 'echo up; while :; do :; done'), collector().sink);
    try {
      const first = await task.resourceCounters!();
      let later = first;
      for (let i = 0; i < 50 && later.cpuTicks <= first.cpuTicks; i++) {
        await new Promise((r) => setTimeout(r, 100));
        later = await task.resourceCounters!();
      }
      expect(later.cpuTicks).toBeGreaterThan(first.cpuTicks);
      expect(later.rssBytes).toBeGreaterThan(0);
      expect(later.processes).toBeGreaterThanOrEqual(1);
    } finally {
      await task.stop(100);
      await task.release?.();
    }
  });
});
