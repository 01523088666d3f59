import { describe, expect, it } from 'vitest';
import { aLaunchContext, withMethod } from './launch-context.fixture';
import { mpiHostfile, mpiTuneFile } from './mpi-hostfile';
import { MPI_RELEASE_SWEEP, mpiLaunch, mpiReleaseFile } from './mpi-launcher';

const hosts = ['10.0.0.5', '10.0.0.6'];
const home = '/w/jobs/j1/worker-0/1';

describe('mpi launcher', () => {
  it('mpi - worker-0 runs the guide\'s mpirun with np = hosts × slots, hostfile and -tune; the boot file by its shared path (L725-747)', () => {
    const ctx = aLaunchContext({ hosts, flavor: { cpu: 8, memoryMiB: 1024, gpu: 8 }, algorithm: withMethod('mpi', { parameters: [{ name: 'epochs', value: '2' }] }) });
    const plan = mpiLaunch(ctx);
    expect(plan.processes[0]!.argv).toEqual([
      'mpirun', '-np', '16', '-hostfile', `${home}/hostfile`, '-tune', `${home}/env_for_user_process`,
      '-bind-to', 'none', '-map-by', 'slot',
      '-x', 'NCCL_DEBUG=INFO', '-x', 'NCCL_SOCKET_IFNAME=eth0,bond0', '-x', 'NCCL_SOCKET_FAMILY=AF_INET', '-x', 'HOROVOD_MPI_THREADS_DISABLE=1',
      '-mca', 'pml', 'ob1', '-mca', 'btl', '^openib', '-mca', 'plm_rsh_no_tree_spawn', 'true',
      'python', '/srv/code/ddp/train.py', '--epochs=2',
    ]);
    expect(plan.files.find((f) => f.path === `${home}/hostfile`)!.content).toBe('10.0.0.5 slots=8\n10.0.0.6 slots=8\n');
  });

  it('mpi - worker-0 releases the others through mpirun and exits with mpirun\'s status (L749-781)', () => {
    const plan = mpiLaunch(aLaunchContext({ hosts, algorithm: withMethod('mpi') }, { MY_MPI_BTL_TCP_IF: 'lo' }));
    const lines = plan.command.split('\n');
    expect(lines[0]).toMatch(/^mpirun -np 2 /);
    expect(lines.slice(1)).toEqual([
      'rc=$?',
      'echo "[run_mpi] mpirun exited with $rc"',
      "echo '[run_mpi] releasing workers 1 to N-1'",
      `mpirun --hostfile ${home}/hostfile.workers --mca btl_tcp_if_include lo -x PATH touch /tmp/trainyard-mpi-j1-1.released >/dev/null 2>&1`,
      'exit "$rc"',
    ]);
    expect(plan.files.find((f) => f.path === `${home}/hostfile.workers`)!.content).toBe('10.0.0.6 slots=1\n');
  });

  it('mpi - with SSH trust the hostfiles name the guide\'s instances and worker-0 first waits for every sshd (L689-719)', () => {
    const plan = mpiLaunch(aLaunchContext({ hosts, sshTrust: { dir: '/home/ma-user/.ssh' }, algorithm: withMethod('mpi') }));
    const vj = 'modelarts-job-j1';
    const names = [`${vj}-worker-0.${vj}`, `${vj}-worker-1.${vj}`];
    expect(plan.files.find((f) => f.path === `${home}/hostfile`)!.content).toBe(`${names[0]} slots=1\n${names[1]} slots=1\n`);
    expect(plan.files.find((f) => f.path === `${home}/hostfile.workers`)!.content).toBe(`${names[1]} slots=1\n`);
    const lines = plan.command.split('\n');
    expect(lines[0]).toBe(`for h in ${names.join(' ')}; do`);
    expect(lines).toContain(`  until ssh -F ${home}/.ssh/config -o ConnectTimeout=5 "$h" true 2>/dev/null; do`);
    expect(lines.findIndex((l) => l.startsWith('mpirun -np 2 '))).toBeGreaterThan(lines.indexOf('done'));
  });

  it('mpi - the other workers say where the log is and wait to be released, then exit 0 (L775-779)', () => {
    const plan = mpiLaunch(aLaunchContext({ task: 'worker-1', index: 1, hosts, algorithm: withMethod('mpi') }));
    expect(plan.command).toBe(
      [
        "echo '[run_mpi] the training log is in worker-0'",
        `until [ -e ${mpiReleaseFile('j1', 1)} ]; do sleep 1; done`,
        "echo '[run_mpi] released by worker-0'",
        `${MPI_RELEASE_SWEEP} || true`,
      ].join('\n'),
    );
    expect(plan.files).toEqual([]);
  });

  it('mpi - MY_MPI_SLOTS, MY_MPI_BTL_TCP_IF, MY_SSHD_PORT and LD_LIBRARY_PATH (L651-667, L736-747)', () => {
    const argv = mpiLaunch(
      aLaunchContext({ hosts, algorithm: withMethod('mpi') }, { MY_MPI_SLOTS: '3', MY_MPI_BTL_TCP_IF: 'ib0', MY_SSHD_PORT: '36666', LD_LIBRARY_PATH: '/opt/lib' }),
    ).processes[0]!.argv;
    expect(argv.slice(0, 3)).toEqual(['mpirun', '-np', '6']);
    expect(argv).toContain('NCCL_SOCKET_IFNAME=ib0');
    expect(argv.join(' ')).toContain('-mca plm_rsh_args -p 36666 -tune');
    expect(argv.join(' ')).toContain('-x HOROVOD_MPI_THREADS_DISABLE=1 -x LD_LIBRARY_PATH -mca pml');
  });

  it('mpi - slots default to processesPerNode, so a CPU flavor never gets slots=0 (L660-667)', () => {
    expect(mpiLaunch(aLaunchContext({ hosts, algorithm: withMethod('mpi', { processesPerNode: 2 }) })).processes[0]!.argv.slice(0, 3)).toEqual(['mpirun', '-np', '4']);
    expect(mpiLaunch(aLaunchContext({ hosts, algorithm: withMethod('mpi') })).files[0]!.content).toBe('10.0.0.5 slots=1\n10.0.0.6 slots=1\n');
  });

  it('mpi hostfile - tasks sharing a host become one line with their slots added', () =>
    expect(mpiHostfile(['127.0.0.1', '10.0.0.6', '127.0.0.1'], 2)).toBe('127.0.0.1 slots=4\n10.0.0.6 slots=2\n'));

  it('mpi tune file - forwards ^MA_|SHARED_|^S3_|^PATH|^VC_WORKER_|^SCC|^CRED names with a value, as -x NAME (L672-675)', () =>
    expect(
      mpiTuneFile({ MA_HOME: '/h', MY_SHARED_DIR: '/s', S3_X: '1', PATH: '/bin', VC_WORKER_HOSTS: 'a,b', VC_TASK_INDEX: '0', SCC_A: 'x', CRED_B: 'y', MA_EMPTY: '', HOME: '/root' }),
    ).toBe(['CRED_B', 'MA_HOME', 'MY_SHARED_DIR', 'PATH', 'S3_X', 'SCC_A', 'VC_WORKER_HOSTS'].map((n) => `-x ${n}\n`).join('')));
});
