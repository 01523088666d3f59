import { posix } from 'node:path';
import { bootProgram } from './boot-file';
import { type LaunchContext, type LaunchPlan, processesPerNode, taskHosts } from './launch-plan';
import { mpiHostfile, mpiTuneFile } from './mpi-hostfile';
import { renderArgv, shellWord } from './shell-words';
import { instanceNames, trustDir } from '../ssh-trust/ssh-trust-plan';

/** `MY_MPI_BTL_TCP_IF` when unset (L656). */
export const DEFAULT_MPI_BTL_TCP_IF = 'eth0,bond0';

/**
 * The file a waiting worker polls for. It lives outside the task's home because worker-0 creates it
 * on the other hosts through mpirun, which knows their addresses but not their agents' work dirs.
 * Several waiters may share a host, so none removes it; a released worker removes those older than a
 * day instead (`MPI_RELEASE_SWEEP`).
 */
export const mpiReleaseFile = (jobId: string, attempt: number) => `/tmp/trainyard-mpi-${jobId}-${attempt}.released`;

/** Removes release files of finished jobs (a day old): they are empty, but one is left per job. */
export const MPI_RELEASE_SWEEP = "find /tmp -maxdepth 1 -name 'trainyard-mpi-*.released' -mmin +1440 -exec rm -f {} + 2>/dev/null";

/**
 * Horovod/MPI/MindSpore-GPU (ch01-03 §6, L525-781), after the guide's `run_mpi.sh`:
 * - worker-0 writes the hostfile (`<host> slots=<MY_MPI_SLOTS>` per task, L714-719) and the `-tune`
 *   file (L672-675), runs
 *   `mpirun -np <hosts × slots> -hostfile … -tune … -bind-to none -map-by slot -x NCCL_DEBUG=INFO
 *    -x NCCL_SOCKET_IFNAME=${MY_MPI_BTL_TCP_IF} -x NCCL_SOCKET_FAMILY=AF_INET -x HOROVOD_MPI_THREADS_DISABLE=1
 *    -x LD_LIBRARY_PATH -mca pml ob1 -mca btl ^openib -mca plm_rsh_no_tree_spawn true <boot file> <args>`
 *   (L725-747), then releases the other workers through mpirun (L757-772) and exits with mpirun's
 *   status (L749, L781);
 * - every other worker prints that the log is in worker-0 and waits to be released (L775-779), then
 *   exits 0: the job's outcome is worker-0's.
 * Differences, each for a reason:
 * - The launcher starts no sshd (L677-683): with `spec.sshTrust` the platform starts one per instance
 *   (ssh-trust/), and mpirun reaches it through the trust dir's `config` (`OMPI_MCA_plm_rsh_agent`);
 *   without it, ranks reach other hosts through the hosts' own sshd (the operator sets up trust).
 *   `-mca plm_rsh_args "-p ${MY_SSHD_PORT}"` is passed only when `MY_SSHD_PORT` is set.
 * - Without SSH trust, peers are addresses already (`VC_WORKER_HOSTS`), so no name resolution loop
 *   (L690-712). With it (`spec.sshTrust`, ssh-trust/), the hostfile names the guide's instance names
 *   and worker-0 first waits until every instance's sshd lets it in (the guide's port probe, L690-712,
 *   done with the trust dir's own `config`): the platform started those sshd, their ports are there.
 * - `MY_MPI_SLOTS` defaults to `processesPerNode` (the guide's `MA_NUM_GPUS`, which is 0 on a CPU
 *   flavor and would give `slots=0`).
 * - The release touches a file the worker polls for instead of `pkill sleep` (L767-772): a worker that
 *   starts waiting after worker-0 finished is still released, and no other job's `sleep` is killed.
 * - `-x LD_LIBRARY_PATH` only when it is set (mpirun warns about a missing one).
 * - The boot file is named by the code dir's own path when the runtime is `process`: ranks on other
 *   hosts have no task home, and the code dir is a shared path.
 * The user's arguments are appended like every launcher's (L2851-2867): "no extra arguments" (L530)
 * is about platform arguments such as `--init_method`.
 */
export function mpiLaunch(ctx: LaunchContext): LaunchPlan {
  const a = ctx.assignment;
  const release = mpiReleaseFile(a.jobId, a.attempt);
  if (a.index !== 0) {
    const command = [
      "echo '[run_mpi] the training log is in worker-0'",
      `until [ -e ${shellWord(release)} ]; do sleep 1; done`,
      "echo '[run_mpi] released by worker-0'",
      `${MPI_RELEASE_SWEEP} || true`,
    ].join('\n');
    return { launcher: 'mpi', command, env: {}, files: [], processes: [] };
  }

  const env = ctx.env;
  const trust = a.sshTrust;
  const hosts = trust ? taskHosts(ctx).map((_, i) => instanceNames(a.jobId, i)[0]) : taskHosts(ctx);
  const slots = /^[1-9]\d*$/.test(env.MY_MPI_SLOTS ?? '') ? Number(env.MY_MPI_SLOTS) : processesPerNode(a);
  const tcpIf = env.MY_MPI_BTL_TCP_IF || DEFAULT_MPI_BTL_TCP_IF;
  const hostfile = posix.join(ctx.paths.home, 'hostfile');
  const tuneFile = posix.join(ctx.paths.home, 'env_for_user_process');
  const rsh = env.MY_SSHD_PORT ? ['-mca', 'plm_rsh_args', `-p ${env.MY_SSHD_PORT}`] : [];
  const libraryPath = env.LD_LIBRARY_PATH ? ['-x', 'LD_LIBRARY_PATH'] : [];
  const mpirun = [
    'mpirun',
    '-np', String(hosts.length * slots),
    '-hostfile', hostfile,
    ...rsh,
    '-tune', tuneFile,
    '-bind-to', 'none', '-map-by', 'slot',
    '-x', 'NCCL_DEBUG=INFO', '-x', `NCCL_SOCKET_IFNAME=${tcpIf}`, '-x', 'NCCL_SOCKET_FAMILY=AF_INET',
    '-x', 'HOROVOD_MPI_THREADS_DISABLE=1',
    ...libraryPath,
    '-mca', 'pml', 'ob1', '-mca', 'btl', '^openib', '-mca', 'plm_rsh_no_tree_spawn', 'true',
    ...bootProgram(ctx, [], { shared: a.runtime === 'process' }),
  ];
  const files = [
    { path: hostfile, content: mpiHostfile(hosts, slots) },
    { path: tuneFile, content: mpiTuneFile(env) },
  ];
  const lines = [...(trust ? [waitForSshd(posix.join(trustDir(ctx.paths, trust.dir), 'config'), hosts)] : []), renderArgv(mpirun), 'rc=$?', 'echo "[run_mpi] mpirun exited with $rc"'];
  if (hosts.length > 1) {
    const releaseHostfile = posix.join(ctx.paths.home, 'hostfile.workers');
    files.push({ path: releaseHostfile, content: mpiHostfile(hosts.slice(1), 1) });
    const releaseArgv = [
      'mpirun', '--hostfile', releaseHostfile, '--mca', 'btl_tcp_if_include', tcpIf,
      ...rsh.map((w) => w.replace(/^-mca$/, '--mca')), '-x', 'PATH', ...libraryPath, 'touch', release,
    ];
    lines.push("echo '[run_mpi] releasing workers 1 to N-1'", `${renderArgv(releaseArgv)} >/dev/null 2>&1`);
  }
  lines.push('exit "$rc"');
  return { launcher: 'mpi', command: lines.join('\n'), env: {}, files, processes: [{ argv: mpirun, env: {} }] };
}

/** Seconds worker-0 waits for each instance's sshd before it gives up. */
export const SSHD_WAIT_SECONDS = 120;

/** A loop that ends once `ssh` logs in to every host (config from the trust dir), or exits 1 naming the first it could not reach. */
function waitForSshd(config: string, hosts: readonly string[]): string {
  const ssh = `ssh -F ${shellWord(config)} -o ConnectTimeout=5`;
  return [
    `for h in ${hosts.map(shellWord).join(' ')}; do`,
    '  n=0',
    `  until ${ssh} "$h" true 2>/dev/null; do`,
    '    n=$((n+1))',
    `    if [ "$n" -ge ${SSHD_WAIT_SECONDS} ]; then echo "[run_mpi] the sshd of $h did not let worker-0 in within ${SSHD_WAIT_SECONDS} s" >&2; exit 1; fi`,
    '    sleep 1',
    '  done',
    'done',
  ].join('\n');
}
