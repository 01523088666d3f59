import { chmod, chown, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TaskAssignment } from '@trainyard/contracts';
import type { AgentConfig } from '../agent-config';
import type { TaskPaths } from '../task-paths';
import { LaunchError } from '../task-runtime';
import { HostsFile } from './hosts-file';
import { planSshTrust, type SshTrustPlan, type TrustFile } from './ssh-trust-plan';

/** What a task with SSH trust holds on its node until its exit is reported. */
export interface SshTrustLease {
  plan: SshTrustPlan;
  /** Takes the instances' names out of the hosts file again. */
  release(): Promise<void>;
}

/**
 * The plan of a task that asked for SSH trust, or undefined. A node without the cluster's trust
 * secret cannot give it: that is the node's lack, not the job's fault, so it is a launch failure.
 */
export function sshTrustPlan(a: TaskAssignment, paths: TaskPaths, config: Pick<AgentConfig, 'host' | 'sshTrust' | 'nodeId'>): SshTrustPlan | undefined {
  if (!a.sshTrust) return undefined;
  const { secret, sshd } = config.sshTrust;
  if (!secret) throw new LaunchError(`node ${config.nodeId} has no SSH trust secret (TY_SSH_TRUST_SECRET_FILE), which spec.sshTrust needs`);
  return planSshTrust({ assignment: { ...a, sshTrust: a.sshTrust }, paths, host: config.host, secret: Buffer.from(secret.reveal(), 'utf8'), sshd });
}

/**
 * Writes the trust files, readable by the task's user only (0700 dirs, private keys 0600, owned by
 * `owner` when the agent runs tasks as another user), and puts the instances' names into the hosts
 * file. Root's sshd also needs its privilege-separation dir.
 */
export async function applySshTrust(plan: SshTrustPlan, key: string, hostsFile: string | undefined, owner: number | undefined): Promise<SshTrustLease> {
  for (const dir of [plan.dir, plan.sshdDir]) await privateDir(dir, owner);
  for (const file of plan.files) await writePrivate(file, owner);
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const release = hostsFile ? await new HostsFile(hostsFile).add(key, plan.hosts) : async () => undefined;
  return { plan, release };
}

/** `dir` and every dir made on the way to it (`etc` of `etc/ssh`) are the task user's. */
async function privateDir(dir: string, owner: number | undefined): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  if (owner === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    await chown(d, owner, owner);
    if (first === undefined || d === first || d === dirname(d)) break;
  }
}

async function writePrivate(file: TrustFile, owner: number | undefined): Promise<void> {
  const tmp = `${file.path}.tmp`;
  await writeFile(tmp, file.content, { mode: file.mode });
  await chmod(tmp, file.mode);
  if (owner !== undefined) await chown(tmp, owner, owner);
  await rename(tmp, file.path);
}
