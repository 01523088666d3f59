import { posix } from 'node:path';
import type { TaskAssignment } from '@trainyard/contracts';
import { platformPort } from '../launchers/platform-port';
import { shellWord } from '../launchers/shell-words';
import { TASK_ROLE, vjName } from '../task-environment';
import { GUIDE_HOME, type TaskPaths } from '../task-paths';
import { deriveSshKey } from './ssh-key';

/** A file of the trust set-up, written with `mode` and owned by the task's user. */
export interface TrustFile {
  path: string;
  content: string;
  mode: number;
}

/** One line of the hosts file: an instance's address and its names. */
export interface HostsEntry {
  address: string;
  names: string[];
}

/**
 * SSH trust for one task (V21, ch01-03 §12): the files, the sshd to start and what the environment
 * says. Pure: the caller writes `files` (0700 dirs), adds `hosts` to the node's hosts file, puts
 * `prologue` before the task's command and `env` into its environment.
 */
export interface SshTrustPlan {
  /** Host path of the guide's trust dir (`/home/ma-user/.ssh` rebased onto the task home). */
  dir: string;
  /** Where the sshd's own files live (`${MA_HOME}/etc/ssh`, the guide's `MY_HOME/etc/ssh`, L677-683). */
  sshdDir: string;
  files: TrustFile[];
  hosts: HostsEntry[];
  /** Every instance's name by index (`${MA_VJ_NAME}-${MA_TASK_NAME}-N.${MA_VJ_NAME}`, L689). */
  names: string[];
  /** The port this instance's sshd listens on. */
  port: number;
  /** Starts sshd in the task's own process group, so it lives exactly as long as the task. */
  prologue: string;
  env: Record<string, string>;
}

export interface SshTrustInput {
  assignment: TaskAssignment & { sshTrust: { dir: string } };
  paths: TaskPaths;
  /** This node's advertised address: the instance's sshd binds it. */
  host: string;
  /** The cluster's trust secret (`TY_SSH_TRUST_SECRET_FILE`); never leaves the agent. */
  secret: Buffer;
  sshd: string;
}

/** Host path of the guide's trust dir: `dir` (under `/home/ma-user`) rebased onto the task home. */
export function trustDir(paths: TaskPaths, dir: string): string {
  return posix.join(paths.home, dir.slice(GUIDE_HOME.length));
}

/** The guide's per-instance host name (L689, L2553-2572) and its short form (`MA_CURRENT_INSTANCE_NAME`). */
export function instanceNames(jobId: string, index: number): [fqdn: string, short: string] {
  const vj = vjName(jobId);
  return [`${vj}-${TASK_ROLE}-${index}.${vj}`, `${vj}-${TASK_ROLE}-${index}`];
}

/**
 * The sshd port of instance `index`: the user's `MY_SSHD_PORT` for every instance when set (the guide's
 * scripts pass it as `-p`, L736-747), else one port per instance of the platform's range, so two
 * instances sharing a node address never collide and other jobs' sshd rarely do.
 */
export function sshdPort(a: TaskAssignment, index: number): number {
  const given = a.algorithm.environments?.MY_SSHD_PORT;
  if (given !== undefined && /^[1-9]\d{0,4}$/.test(given) && Number(given) <= 65535) return Number(given);
  return platformPort(a.jobId, a.attempt, 'sshd', index);
}

/**
 * The guide generates `authorized_keys`, `config`, `id_rsa` and `id_rsa.pub` in the trust dir (L1148);
 * we add `known_hosts`, so ssh checks each peer's host key instead of trusting it on first use. The key
 * is Ed25519 under the guide's file names (ssh reads the type from the content): an RSA key cannot be
 * derived from the secret cheaply, and every agent must arrive at the same key without exchanging it.
 * Host keys are derived per instance the same way, so every instance can list every peer's host key.
 */
export function planSshTrust(input: SshTrustInput): SshTrustPlan {
  const { assignment: a, paths, host, secret } = input;
  const dir = trustDir(paths, a.sshTrust.dir);
  const sshdDir = posix.join(paths.home, 'etc', 'ssh');
  const vj = vjName(a.jobId);
  const user = deriveSshKey(secret, `user/${a.jobId}`, vj);
  const hosts = a.hosts.length > 0 ? a.hosts : [host];
  const instances = hosts.map((address, index) => {
    const [fqdn, short] = instanceNames(a.jobId, index);
    return { address, fqdn, short, port: sshdPort(a, index), hostKey: deriveSshKey(secret, `host/${a.jobId}/${index}`, fqdn) };
  });
  const me = instances[a.index] ?? instances[0]!;
  const bracket = (name: string, port: number) => (port === 22 ? name : `[${name}]:${port}`);
  const knownHosts = instances.map((i) => {
    const keyOnly = i.hostKey.publicKey.split(' ').slice(0, 2).join(' ');
    return `${[bracket(i.fqdn, i.port), bracket(i.short, i.port), bracket(i.address, i.port)].join(',')} ${keyOnly}\n`;
  });
  const config = [
    ...instances.flatMap((i) => [`Host ${i.fqdn} ${i.short}`, `  HostName ${i.address}`, `  Port ${i.port}`]),
    'Host *',
    `  IdentityFile ${posix.join(dir, 'id_rsa')}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${posix.join(dir, 'known_hosts')}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '',
  ].join('\n');
  const hostKeyFile = posix.join(sshdDir, 'ssh_host_ed25519_key');
  const sshdConfig = [
    `Port ${me.port}`,
    `ListenAddress ${me.address}`,
    `HostKey ${hostKeyFile}`,
    `AuthorizedKeysFile ${posix.join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    // The task home lies under the agent's work dir: sshd would judge that dir's ancestors, which are
    // not the task's. The trust files themselves are 0600 in a 0700 dir of the task's user.
    'StrictModes no',
    'PidFile none',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'PrintMotd no',
    '',
  ].join('\n');
  const sshdConfigFile = posix.join(sshdDir, 'sshd_config');
  const prologue = `${shellWord(input.sshd)} -D -f ${shellWord(sshdConfigFile)} -E ${shellWord(posix.join(sshdDir, 'sshd.log'))} &`;
  return {
    dir,
    sshdDir,
    names: instances.map((i) => i.fqdn),
    port: me.port,
    hosts: instances.map((i) => ({ address: i.address, names: [i.fqdn, i.short] })),
    files: [
      { path: posix.join(dir, 'id_rsa'), content: user.privateKey, mode: 0o600 },
      { path: posix.join(dir, 'id_rsa.pub'), content: `${user.publicKey}\n`, mode: 0o644 },
      { path: posix.join(dir, 'authorized_keys'), content: `${user.publicKey}\n`, mode: 0o600 },
      { path: posix.join(dir, 'known_hosts'), content: knownHosts.join(''), mode: 0o644 },
      { path: posix.join(dir, 'config'), content: config, mode: 0o600 },
      { path: hostKeyFile, content: me.hostKey.privateKey, mode: 0o600 },
      { path: sshdConfigFile, content: sshdConfig, mode: 0o600 },
    ],
    prologue,
    env: {
      // The guide's names (L2553-2572): they resolve through the hosts file and the ssh config.
      VC_WORKER_HOSTS: instances.map((i) => i.fqdn).join(','),
      // Any mpirun of the task goes through this config (ssh reads ~/.ssh of the passwd entry, not
      // the trust dir, on a host); a `-mca plm_rsh_args "-p …"` of the user still applies.
      OMPI_MCA_plm_rsh_agent: `ssh -F ${posix.join(dir, 'config')}`,
    },
  };
}
