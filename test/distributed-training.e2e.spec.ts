import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mpiReleaseFile } from '../apps/node-agent/src/launchers';
import { eventually } from './support/eventually';
import { freePort } from './support/free-port';
import { exampleSpec } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * The examples need Debian's python3-torch (gloo, torchrun), python3-mpi4py and openmpi-bin, seen by
 * /usr/bin/python3. CI installs them; on a machine without them every test fails with this error,
 * rather than being skipped.
 */
function missingDistributedStack(): Error | undefined {
  const problems: string[] = [];
  const py = spawnSync('/usr/bin/python3', ['-c', 'import torch, torch.distributed as d, mpi4py; assert d.is_gloo_available()'], { encoding: 'utf8' });
  if (py.status !== 0) problems.push(`/usr/bin/python3 cannot import torch (with gloo) and mpi4py: ${(py.stderr || py.error?.message || '').trim().split('\n').at(-1)}`);
  const mpirun = spawnSync('mpirun', ['--version'], { encoding: 'utf8' });
  if (mpirun.status !== 0) problems.push('mpirun is not on PATH');
  if (problems.length === 0) return undefined;
  return new Error(
    `distributed training end-to-end tests need Debian's packages (apt-get install python3-torch python3-mpi4py openmpi-bin):\n- ${problems.join('\n- ')}`,
  );
}


interface RankLine {
  task: string;
  rank: number;
  world: number;
  sum: string;
}

describe('distributed training - the DDP and MPI examples on the process runtime', () => {
  let t: TestCluster;
  const cleanups: Array<() => void> = [];
  const missing = missingDistributedStack();
  /** Each test fails on its own (a failing hook would report them skipped). */
  const requireStack = () => {
    if (missing) throw missing;
  };
  beforeAll(async () => {
    if (missing) return;
    // Room for one 1-cpu instance per node: each job spreads over both agents (their own work dirs,
    // their own launchers), as on two machines, though both advertise 127.0.0.1.
    const agent = (nodeId: string) => ({ nodeId, capacity: { cpu: 1, memoryMiB: 4096, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 2_000 });
    t = await startTestCluster({ agents: [agent('node-1'), agent('node-2')] });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    for (const cleanup of cleanups) cleanup();
  });

  const logText = async (id: string, task: string): Promise<string[]> =>
    (await t.api.call('GET', `/v1/training-jobs/${id}/tasks/${task}/logs?limit=10000`)).body.items.map((l: any) => l.text as string);

  /** Waits for the job to complete; on any other end, fails with its tasks' logs. */
  async function completes(id: string): Promise<any> {
    try {
      return await t.api.waitFor(id, 'completed', 110_000);
    } catch (err) {
      const logs = await Promise.all(['worker-0', 'worker-1'].map(async (task) => `--- ${task}\n${(await logText(id, task).catch(() => [])).join('\n')}`));
      throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
    }
  }

  /** Every `rank=<r> world=<w> sum=<s>` of the job's tasks, once all `expected` ranks are stored. */
  async function rankLines(id: string, expected: number): Promise<RankLine[]> {
    return eventually(async () => {
      const found: RankLine[] = [];
      for (const task of ['worker-0', 'worker-1']) {
        for (const text of await logText(id, task)) {
          // torchrun --tee prefixes each line with its local rank ("[default1]:").
          for (const m of text.matchAll(/rank=(\d+) world=(\d+) sum=(\S+)/g)) found.push({ task, rank: Number(m[1]), world: Number(m[2]), sum: m[3]! });
        }
      }
      return found.length >= expected ? found : undefined;
    });
  }

  it('runs the DDP example with torchrun, 2 instances x 2 processes: every rank prints the same all-reduced sum', async () => {
    requireStack();
    const spec = exampleSpec('ddp');
    // The guide's default master port is 18888; a free one keeps parallel runs on this machine apart.
    spec.algorithm.environments.MA_TORCHRUN_MASTER_PORT = String(await freePort());
    const submitted = await t.api.call('POST', '/v1/training-jobs', spec);
    expect(submitted.status).toBe(201);
    const done = await completes(submitted.body.id);
    expect(done.tasks.map((x: any) => [x.name, x.state, x.exitCode])).toEqual([
      ['worker-0', 'succeeded', 0],
      ['worker-1', 'succeeded', 0],
    ]);
    expect(new Set(done.tasks.map((x: any) => x.nodeId)).size).toBe(2);

    const lines = await rankLines(submitted.body.id, 4);
    expect(lines.map((l) => l.rank).sort()).toEqual([0, 1, 2, 3]);
    expect(lines.every((l) => l.world === 4)).toBe(true);
    expect(new Set(lines.map((l) => l.sum)).size).toBe(1);
    expect(Number.isFinite(Number(lines[0]!.sum))).toBe(true);
    // --node_rank=${VC_TASK_INDEX}: worker-0's torchrun holds ranks 0-1, worker-1's ranks 2-3.
    expect(lines.filter((l) => l.task === 'worker-0').map((l) => l.rank).sort()).toEqual([0, 1]);
    expect(lines.filter((l) => l.task === 'worker-1').map((l) => l.rank).sort()).toEqual([2, 3]);
    const epochs = (await logText(submitted.body.id, 'worker-0')).filter((l) => /epoch=\d+ loss=/.test(l));
    expect(epochs).toHaveLength(3); // --epochs=3 reached the script
  });

  it('runs the MPI example with mpirun from worker-0, 2 instances x 2 slots: all ranks in worker-0\'s log, worker-1 released', async () => {
    requireStack();
    const submitted = await t.api.call('POST', '/v1/training-jobs', exampleSpec('mpi'));
    expect(submitted.status).toBe(201);
    // The release file is left for the other waiters of a host; this machine needs it no longer.
    cleanups.push(() => rmSync(mpiReleaseFile(submitted.body.id, 1), { force: true }));
    const done = await completes(submitted.body.id);
    expect(done.tasks.map((x: any) => [x.name, x.state, x.exitCode])).toEqual([
      ['worker-0', 'succeeded', 0],
      ['worker-1', 'succeeded', 0],
    ]);

    const lines = await rankLines(submitted.body.id, 4);
    expect(lines.map((l) => [l.task, l.rank, l.world, l.sum]).sort()).toEqual([
      ['worker-0', 0, 4, '10'],
      ['worker-0', 1, 4, '10'],
      ['worker-0', 2, 4, '10'],
      ['worker-0', 3, 4, '10'],
    ]);
    const worker1 = await logText(submitted.body.id, 'worker-1');
    expect(worker1).toEqual(['[run_mpi] the training log is in worker-0', '[run_mpi] released by worker-0']);
  });
});
