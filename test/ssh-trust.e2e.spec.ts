import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mpiReleaseFile } from '../apps/node-agent/src/launchers';
import { eventually } from './support/eventually';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * SSH trust between instances (V21, ch01-03 §12, L1121-1157): two instances on two agents at
 * 127.0.0.2 and 127.0.0.3, an mpi4py job with `spec.sshTrust`, and mpirun reaching the other instance
 * through that instance's own sshd — with no key, host file or ssh set-up done by anyone but the
 * platform. Needs Debian's openssh-server, openmpi-bin and python3-mpi4py (.ci/prepare-machine).
 */
function missingStack(): Error | undefined {
  const problems: string[] = [];
  if (!statSync('/usr/sbin/sshd', { throwIfNoEntry: false })) problems.push('/usr/sbin/sshd is missing (openssh-server)');
  if (spawnSync('mpirun', ['--version']).status !== 0) problems.push('mpirun is not on PATH (openmpi-bin)');
  if (spawnSync('/usr/bin/python3', ['-c', 'import mpi4py']).status !== 0) problems.push('/usr/bin/python3 cannot import mpi4py (python3-mpi4py)');
  return problems.length ? new Error(`the SSH trust e2e needs: ${problems.join('; ')}`) : undefined;
}

/** Every rank prints how it was reached and what the guide's names resolve to. */
const SCRIPT = `
import os, socket, sys
from mpi4py import MPI
comm = MPI.COMM_WORLD
rank, world = comm.Get_rank(), comm.Get_size()
total = comm.allreduce(rank + 1, op=MPI.SUM)
hosts = os.environ["VC_WORKER_HOSTS"].split(",")
via = os.environ.get("SSH_CONNECTION", "- - - -").split(" ")
try:
    resolved = ",".join(socket.gethostbyname(h) for h in hosts)
except OSError as e:
    resolved = "unresolved"
comm.Barrier()
sys.stdout.write(f"rank={rank} world={world} sum={total} sshd={via[2]}:{via[3]} hosts={','.join(hosts)} resolved={resolved}\\n")
sys.stdout.flush()
`;

describe('ssh trust - mpirun over ssh between two instances (L1121-1157)', () => {
  let t: TestCluster;
  let code: string;
  const missing = missingStack();
  beforeAll(async () => {
    if (missing) return;
    code = mkdtempSync(join(tmpdir(), 'ssh-trust-code-'));
    writeFileSync(join(code, 'ranks.py'), SCRIPT);
    chmodSync(code, 0o755); // readable by a task of another user
    const agent = (nodeId: string, host: string) => ({ nodeId, host, capacity: { cpu: 1, memoryMiB: 4096, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 2_000 });
    t = await startTestCluster({ agents: [agent('node-a', '127.0.0.2'), agent('node-b', '127.0.0.3')] });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    if (code) rmSync(code, { recursive: true, force: true });
  });

  const logText = async (id: string, task: string): Promise<string[]> =>
    (await t.api.call('GET', `/v1/training-jobs/${id}/tasks/${task}/logs?limit=10000`)).body.items.map((l: any) => l.text as string);

  /** The mpi4py job with SSH trust, as `userId` when given. */
  const mpiJob = (userId?: number) => ({
    kind: 'job',
    metadata: { name: 'mpi-over-ssh' },
    algorithm: {
      engine: { name: 'MPI', version: '4.1' }, codeDir: code, bootFile: 'ranks.py', launchMethod: 'mpi', processesPerNode: 1,
      ...(userId !== undefined ? { userId } : {}),
      environments: {
        MA_SCRIPT_INTERPRETER: '/usr/bin/python3',
        // Both instances are on this machine's loopback: MPI's own traffic must be allowed there.
        MY_MPI_BTL_TCP_IF: 'lo', OMPI_MCA_btl_tcp_if_include: 'lo', OMPI_MCA_oob_tcp_if_include: 'lo',
        OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1',
      },
    },
    spec: { resource: { flavor: { cpu: 1, memoryMiB: 512 }, nodeCount: 2 }, sshTrust: { enabled: true } },
  });

  /** Submits, waits for completion (failing with both logs otherwise) and checks how every rank was reached. */
  async function runsOverSsh(spec: unknown): Promise<string> {
    const submitted = await t.api.call('POST', '/v1/training-jobs', spec);
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    try {
      const done = await t.api.waitFor(id, 'completed', 90_000);
      expect(done.tasks.map((x: any) => [x.name, x.state, x.nodeId])).toEqual([
        ['worker-0', 'succeeded', 'node-a'],
        ['worker-1', 'succeeded', 'node-b'],
      ]);
    } catch (err) {
      const sshdLog = (node: string, task: string) => {
        try {
          return readFileSync(join(t.dataDir, 'agents', node, 'jobs', id, task, '1', 'etc', 'ssh', 'sshd.log'), 'utf8');
        } catch (e) {
          return String(e);
        }
      };
      const logs = await Promise.all([['node-a', 'worker-0'], ['node-b', 'worker-1']].map(async ([node, task]) =>
        `--- ${task}\n${(await logText(id, task!).catch(() => [])).join('\n')}\n--- its sshd\n${sshdLog(node!, task!)}`));
      throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
    } finally {
      rmSync(mpiReleaseFile(id, 1), { force: true });
    }

    const vj = `modelarts-job-${id}`;
    const names = [0, 1].map((i) => `${vj}-worker-${i}.${vj}`);
    const ranks = await eventually(async () => {
      const lines = (await logText(id, 'worker-0')).filter((l) => l.startsWith('rank='));
      return lines.length === 2 ? lines.sort() : undefined;
    });
    // Rank 1 runs on worker-1: its orted was started by ssh through worker-1's sshd at 127.0.0.3.
    const fields = ranks.map((l) => Object.fromEntries(l.split(' ').map((kv) => kv.split('=') as [string, string])));
    expect(fields.map((f) => [f.rank, f.world, f.sum])).toEqual([['0', '2', '3'], ['1', '2', '3']]);
    expect(fields[1]!.sshd).toMatch(/^127\.0\.0\.3:\d+$/);
    // VC_WORKER_HOSTS holds the guide's names (L689), and they resolved to the instances' addresses.
    for (const f of fields) {
      expect(f.hosts).toBe(names.join(','));
      expect(f.resolved).toBe('127.0.0.2,127.0.0.3');
    }
    // The names leave the hosts file with the tasks; the key is in no log line.
    expect(readFileSync('/etc/hosts', 'utf8')).not.toContain(vj);
    const all = [...(await logText(id, 'worker-0')), ...(await logText(id, 'worker-1'))].join('\n');
    expect(all).not.toContain('PRIVATE KEY');
    return id;
  }

  it('ssh trust - the mpi launcher reaches worker-1 through its sshd, by the guide\'s names, and the job completes', async () => {
    if (missing) throw missing;
    await runsOverSsh(mpiJob());
  });

  // A task of another user: sshd runs unprivileged as that user, with keys only that user can read.
  it.skipIf(process.getuid?.() !== 0 || spawnSync('getent', ['passwd', '1000']).status !== 0)(
    'ssh trust - a task running as uid 1000 gets its own unprivileged sshd and keys only it can read',
    async () => {
      if (missing) throw missing;
      // The cluster's data dir is made private (mkdtemp); a task user must be able to reach its home.
      chmodSync(t.dataDir, 0o711);
      const id = await runsOverSsh(mpiJob(1000));
      const dir = join(t.dataDir, 'agents', 'node-b', 'jobs', id, 'worker-1', '1', '.ssh');
      for (const name of ['', '/id_rsa', '/authorized_keys', '/config']) {
        const st = statSync(`${dir}${name}`);
        expect([st.uid, st.mode & 0o077]).toEqual([1000, 0]);
      }
    },
  );
});
