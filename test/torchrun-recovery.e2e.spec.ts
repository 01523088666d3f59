import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '@trainyard/testing';
import { runCli } from '../apps/cli/src/cli';
import { eventually } from './support/eventually';
import { freePort } from './support/free-port';
import { events, FAST_FAULTS, logLines, submit, withFaultTolerance } from './support/fault-injection';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/** Debian's torch (gloo, torchrun) seen by /usr/bin/python3; without it the test fails saying so. */
function missingTorch(): Error | undefined {
  const py = spawnSync('/usr/bin/python3', ['-c', 'import torch.distributed as d; assert d.is_gloo_available()'], { encoding: 'utf8' });
  return py.status === 0 ? undefined : new Error(`this test needs Debian's python3-torch: ${(py.stderr || py.error?.message || '').trim().split('\n').at(-1)}`);
}


/** `yard logs <id> --task <task> -f --json`, in this process: every line with the moment it was printed. */
function followWithYard(apiUrl: string, id: string, task: string) {
  const seen: { at: number; line: { seq: number; ts: string; text: string } }[] = [];
  let buf = '';
  const done = runCli(['logs', id, '--task', task, '-f', '--json', '--api', apiUrl], {
    stdout: (t) => {
      buf += t;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        seen.push({ at: Date.now(), line: JSON.parse(buf.slice(0, nl)) });
        buf = buf.slice(nl + 1);
      }
    },
    stderr: () => undefined,
    vars: { TY_TOKEN: TEST_ADMIN_TOKEN, TY_CONFIG: '/nonexistent/trainyard-test-config.yaml' },
    cwd: process.cwd(),
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  return { seen, done };
}

/**
 * Issue 9, findings 3 and 4, with the real torchrun: PyTorch DDP on two instances (2 ranks each);
 * one rank's Python process is SIGKILLed mid-run. torchrun exits 1 and prints its failure summary;
 * the agent reads it, so the fault is a killed process and — with only `job-retry-num` — it is
 * recovered in place like a plain command's. Meanwhile `yard logs -f` shows the lines as they come.
 */
describe('torchrun - a killed rank is recovered, and its log is live', () => {
  let t: TestCluster;
  const missing = missingTorch();
  beforeAll(async () => {
    if (missing) return;
    const agent = (nodeId: string) => ({ nodeId, capacity: { cpu: 1, memoryMiB: 4096, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 2_000 });
    // torchrun looks at its workers every 5 s: the two instances' reports may come that far apart, so
    // the fault manager waits the production default for the root cause.
    t = await startTestCluster({ agents: [agent('node-1'), agent('node-2')], faultManager: { ...FAST_FAULTS, rootCauseWaitMs: 10_000 } });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('SIGKILL of one rank under torchrun: in-place recovery, the events name the signal, the job completes; the log streams while it runs', async () => {
    if (missing) throw missing;
    const ddp: any = {
      kind: 'job',
      metadata: { name: 'ddp-kill' },
      algorithm: {
        engine: { name: 'PyTorch', version: '1.13' },
        codeDir: resolve(__dirname, 'fixtures/torch-steps'),
        bootFile: 'train.py',
        launchMethod: 'torchrun',
        processesPerNode: 2,
        parameters: [{ name: 'steps', value: '40' }, { name: 'pause', value: '0.25' }],
        // No MA_EXTRA_TORCHRUN_PARAMS: live output is the platform's default now.
        environments: { MA_SCRIPT_INTERPRETER: '/usr/bin/python3', MA_TORCHRUN_MASTER_PORT: String(await freePort()) },
      },
      spec: { resource: { flavor: { cpu: 1, memoryMiB: 1024 }, nodeCount: 2 } },
    };
    const spec = withFaultTolerance(ddp, { 'fault-tolerance/job-retry-num': '3' });
    const id = await submit(t.api, spec);
    const follow = followWithYard(t.cluster.apiUrl, id, 'worker-0');

    // Rank 3 runs on worker-1 (node_rank 1, local rank 1); its first run says its pid.
    const first = await logLines(t.api, id, 'worker-1', 1, /rank=3 pid=\d+ start=1/);
    const pid = Number(/rank=3 pid=(\d+) start=1/.exec(first.find((l) => /rank=3 pid=/.test(l))!)![1]);
    // Let rank 0 print a few steps first: they must reach the follower while the job runs.
    await eventually(async () => (follow.seen.filter((s) => /step=\d+/.test(s.line.text)).length >= 6 ? true : undefined), 60_000);
    const beforeKill = follow.seen.filter((s) => /step=\d+/.test(s.line.text));
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();

    const done = await t.api.waitFor(id, 'completed', 150_000).catch(async (err) => {
      const evs = (await events(t.api, id)).map((e) => `${e.type}: ${e.message}`);
      throw new Error(`${err.message}\n${evs.join('\n')}`);
    });
    expect(done.tasks.map((x: any) => [x.name, x.state, x.attempt, x.procStartCount])).toEqual([
      ['worker-0', 'succeeded', 1, 2],
      ['worker-1', 'succeeded', 1, 2],
    ]);

    // The events: worker-1's exit carries torchrun's report of rank 3 killed by SIGKILL; the decision
    // is the plain command's (a killed process, restarted in place), and both name the signal.
    const evs = await events(t.api, id);
    const exit1 = evs.find((e) => e.type === 'TaskExited' && e.data.task === 'worker-1');
    expect(exit1.data).toMatchObject({ exitCode: 1, reason: 'exited', launcher: { launcher: 'torchrun' } });
    expect(exit1.data.launcher.failures).toContainEqual(expect.objectContaining({ rank: 3, localRank: 1, pid, signal: 'SIGKILL', exitCode: null }));
    expect(exit1.message).toContain('torchrun: rank 3 killed by SIGKILL');
    const decided = evs.filter((e) => e.type === 'RecoveryDecided');
    expect(decided).toHaveLength(1);
    expect(decided[0].data).toMatchObject({ rule: 'in-place-restart', action: 'restart-in-place', fault: { kind: 'process-killed', task: 'worker-1', code: 'SIGKILL' }, restarts: { current: 0, max: 3 } });
    expect(decided[0].message).toContain('SIGKILL');
    expect(evs.filter((e) => e.type === 'JobFailed')).toEqual([]);

    // Live: the step lines reached `yard logs -f` while the job ran, as they were printed — their
    // stored times and their arrivals spread over seconds, not one burst at the end.
    expect(beforeKill.length).toBeGreaterThanOrEqual(6);
    expect(beforeKill.at(-1)!.at).toBeLessThan(killedAt);
    const stamps = beforeKill.map((s) => Date.parse(s.line.ts));
    expect(Math.max(...stamps) - Math.min(...stamps)).toBeGreaterThanOrEqual(1_000);
    expect(beforeKill.at(-1)!.at - beforeKill[0]!.at).toBeGreaterThanOrEqual(1_000);
    // torchrun's rank prefix on every teed line.
    expect(beforeKill.every((s) => /^\[default0\]:step=\d+ world=4$/.test(s.line.text))).toBe(true);
    await follow.done;

    const restarted = await logLines(t.api, id, 'worker-0', 1, /rank=0 done/);
    expect(restarted.some((l) => /rank=0 pid=\d+ start=2/.test(l))).toBe(true);
  });
});
