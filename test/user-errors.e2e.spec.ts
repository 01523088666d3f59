import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { events, FAST_FAULTS, submit, withFaultTolerance } from './support/fault-injection';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Issue 9, finding 2: a user's typo must never take a node out of service. Bad jobs fail with their
 * reason (the spec field at fault); the cross-job rule (3 jobs failing on one node isolate it) only
 * counts the node's own faults, so 20 of them leave both nodes schedulable.
 */
describe('user errors - the job\'s, never the node\'s', () => {
  let t: TestCluster;
  let code: string;
  beforeAll(async () => {
    t = await startTestCluster({ faultManager: FAST_FAULTS });
    code = mkdtempSync(join(tmpdir(), 'ty-usererr-code-'));
    writeFileSync(join(code, 'train.py'), 'print("trained")\n');
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    rmSync(code, { recursive: true, force: true });
  });

  /** Two instances that cannot share a 2-cpu node: every job runs (and fails) on both nodes. */
  const onBothNodes = (spec: any) => ({ ...spec, spec: { ...spec.spec, resource: { flavor: { cpu: 1.5, memoryMiB: 128 }, nodeCount: 2 } } });
  const preset = (name: string, codeDir: string, bootFile: string) =>
    onBothNodes({ kind: 'job', metadata: { name }, algorithm: { engine: { name: 'Python', version: '3' }, codeDir, bootFile, environments: { MA_SCRIPT_INTERPRETER: '/usr/bin/python3' } }, spec: {} });
  const withCodeDir = (name: string, codeDir: string) => onBothNodes({ ...shellJob(name, 'python3 train.py'), algorithm: { command: 'python3 train.py', codeDir } });

  it('20 jobs with missing code dirs, boot files and unknown commands on both nodes: each fails naming its field; both nodes stay in service; a good job then completes', async () => {
    const bad: { spec: any; field: string }[] = [
      ...['/nonexistent/code', '../../etc/passwd', '__proto__', `/tmp/${'x'.repeat(200)}`, 'file:///no/such/dir', './relative-missing', '/etc/hostname'].map((dir, i) => ({
        spec: withCodeDir(`no-code-${i}`, dir), field: 'algorithm.codeDir',
      })),
      ...['missing.py', 'trian.py', 'sub/dir/train2.py', 'Train.py', 'train.py.py', 'a.py', 'b.py'].map((boot, i) => ({ spec: preset(`no-boot-${i}`, code, boot), field: 'algorithm.bootFile' })),
      ...['trian.sh', 'pyhton3 train.py', 'no-such-tool --epochs 3', './not-here.sh', 'tarin', 'xyzzy'].map((cmd, i) => ({ spec: onBothNodes(shellJob(`no-command-${i}`, cmd)), field: 'algorithm.command' })),
    ];
    expect(bad).toHaveLength(20);
    // Auto restart changes nothing: retrying cannot fix a spec.
    bad[0]!.spec = withFaultTolerance(bad[0]!.spec, { 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/job-unconditional-retry': 'true' });
    bad[19]!.spec = withFaultTolerance(bad[19]!.spec, { 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/job-unconditional-retry': 'true' });

    const ids: string[] = [];
    for (const b of bad) ids.push(await submit(t.api, b.spec));
    const nodesUsed = new Set<string>();
    for (const [i, id] of ids.entries()) {
      const job = await t.api.waitFor(id, 'failed', 60_000).catch(async (err) => {
        throw new Error(`${bad[i]!.spec.metadata.name}: ${err.message}\n${JSON.stringify((await events(t.api, id)).map((e) => [e.type, e.message]))}`);
      });
      expect(job.reason, bad[i]!.spec.metadata.name).toBe('user-error');
      const evs = await events(t.api, id);
      const failed = evs.find((e) => e.type === 'JobFailed');
      expect(failed.data.field, bad[i]!.spec.metadata.name).toBe(bad[i]!.field);
      expect(failed.message).toContain(bad[i]!.field);
      if (bad[i]!.field !== 'algorithm.command') expect(evs.find((e) => e.type === 'TaskCodeDownloadFailed')?.messageZh).toMatch(/训练代码下载失败，失败原因：algorithm\.(codeDir|bootFile)/);
      expect(evs.filter((e) => e.type === 'RecoveryDecided')).toEqual([]);
      for (const e of evs.filter((x) => x.type === 'TaskExited')) nodesUsed.add(e.data.nodeId);
    }
    expect([...nodesUsed].sort()).toEqual(['node-1', 'node-2']);

    // The fault manager had every failure folded in and several passes to act on them: nothing isolated.
    await new Promise((r) => setTimeout(r, 2_000));
    const nodes = (await t.api.call('GET', '/v1/nodes')).body.items;
    for (const id of ['node-1', 'node-2']) {
      const n = nodes.find((x: any) => x.id === id);
      expect(n.availability === null || n.availability === 'in-service', `${id}: ${JSON.stringify(n)}`).toBe(true);
    }

    const good = await submit(t.api, onBothNodes(shellJob('good-after', 'echo fine')));
    const done = await t.api.waitFor(good, 'completed', 60_000);
    expect(new Set(done.tasks.map((x: any) => x.nodeId)).size).toBe(2);
  });

  it('control: tasks of three jobs killed by a signal on a node still isolate it (the rule still works)', async () => {
    const onNode2 = { nodeAffinity: [{ type: 'affinity', strength: 'required', labels: { 'trainyard.io/node-id': 'node-2' } }] };
    // The script kills itself: a signal nobody on the platform sent.
    for (const name of ['selfkill-a', 'selfkill-b', 'selfkill-c']) {
      const id = await submit(t.api, shellJob(name, 'echo up; kill -9 $$', 1, onNode2));
      await t.api.waitFor(id, 'failed', 30_000);
    }
    const node = await eventually(async () => {
      const n = (await t.api.call('GET', '/v1/nodes')).body.items.find((x: any) => x.id === 'node-2');
      return n.availability === 'isolated' ? n : undefined;
    });
    expect(node.isolation).toMatchObject({ reason: 'repeated-failures' });
  });
});
