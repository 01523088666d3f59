import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anAssignment } from '../assignment.fixture';
import { taskPaths } from '../task-paths';
import { instanceNames, planSshTrust, sshdPort } from './ssh-trust-plan';

const secret = Buffer.from('the cluster trust secret of these tests, 32+ bytes');
const hosts = ['10.0.0.5', '10.0.0.6', '10.0.0.5'];
const planFor = (index: number, environments?: Record<string, string>) => {
  const a = anAssignment({
    jobId: 'j1', index, task: `worker-${index}`, hosts, sshTrust: { dir: '/home/ma-user/.ssh' },
    ...(environments ? { algorithm: { command: 'true', environments } } : {}),
  });
  return planSshTrust({ assignment: { ...a, sshTrust: a.sshTrust! }, paths: taskPaths('/w', a), host: hosts[index]!, secret, sshd: '/usr/sbin/sshd' });
};
const file = (plan: ReturnType<typeof planFor>, name: string) => plan.files.find((f) => f.path.endsWith(`/${name}`))!;

describe('ssh trust plan - the guide\'s files (L1148) in the trust dir', () => {
  it('ssh trust plan - authorized_keys, config, id_rsa, id_rsa.pub and known_hosts under the rebased dir, private ones 0600', () => {
    const p = planFor(1);
    expect(p.dir).toBe('/w/jobs/j1/worker-1/1/.ssh');
    const names = p.files.filter((f) => f.path.startsWith(`${p.dir}/`)).map((f) => f.path.slice(p.dir.length + 1)).sort();
    expect(names).toEqual(['authorized_keys', 'config', 'id_rsa', 'id_rsa.pub', 'known_hosts']);
    for (const name of ['id_rsa', 'authorized_keys', 'config']) expect(file(p, name).mode).toBe(0o600);
    expect(file(p, 'ssh_host_ed25519_key').mode).toBe(0o600);
    expect(file(p, 'ssh_host_ed25519_key').path.startsWith(`${p.sshdDir}/`)).toBe(true);
  });

  it('ssh trust plan - every instance holds the same job key and the same known_hosts; host keys differ by instance', () => {
    const [a, b] = [planFor(0), planFor(2)];
    for (const name of ['id_rsa', 'authorized_keys', 'known_hosts']) expect(file(a, name).content).toBe(file(b, name).content);
    expect(file(a, 'ssh_host_ed25519_key').content).not.toBe(file(b, 'ssh_host_ed25519_key').content);
    expect(file(a, 'authorized_keys').content.trim()).toBe(file(a, 'id_rsa.pub').content.trim());
    // known_hosts lists each instance with its own port and host key, by name and by address.
    const lines = file(a, 'known_hosts').content.trim().split('\n');
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => {
      const [fqdn, short] = instanceNames('j1', i);
      const port = sshdPort(anAssignment({ jobId: 'j1' }), i);
      expect(line.split(' ')[0]).toBe(`[${fqdn}]:${port},[${short}]:${port},[${hosts[i]}]:${port}`);
    });
    expect(lines[0]!.split(' ')[2]).not.toBe(lines[2]!.split(' ')[2]);
  });

  it('ssh trust plan - the guide\'s names (L689) in VC_WORKER_HOSTS, the hosts file and sshd bound to the instance\'s address', () => {
    const p = planFor(2);
    const vj = 'modelarts-job-j1';
    expect(p.env.VC_WORKER_HOSTS).toBe(`${vj}-worker-0.${vj},${vj}-worker-1.${vj},${vj}-worker-2.${vj}`);
    expect(p.hosts[1]).toEqual({ address: '10.0.0.6', names: [`${vj}-worker-1.${vj}`, `${vj}-worker-1`] });
    const sshd = file(p, 'sshd_config').content;
    expect(sshd).toContain(`Port ${p.port}\nListenAddress 10.0.0.5\n`);
    expect(sshd).toContain('PasswordAuthentication no');
    // Two instances on one address never share a port unless the user chose one.
    expect(planFor(0).port).not.toBe(p.port);
    expect(planFor(0, { MY_SSHD_PORT: '38888' }).port).toBe(38888);
    expect(p.env.OMPI_MCA_plm_rsh_agent).toBe(`ssh -F ${p.dir}/config`);
    expect(p.prologue).toBe(`/usr/sbin/sshd -D -f ${p.sshdDir}/sshd_config -E ${p.sshdDir}/sshd.log &`);
  });

  it('ssh trust plan - nothing secret in the environment or the command', () => {
    const p = planFor(0);
    const secretText = [file(p, 'id_rsa').content, file(p, 'ssh_host_ed25519_key').content];
    for (const text of [JSON.stringify(p.env), p.prologue]) for (const s of secretText) expect(text).not.toContain(s.split('\n')[1]);
  });
});

// sshd itself judges the config: `sshd -t` reads it with the host key in place.
describe.skipIf(spawnSync('/usr/sbin/sshd', ['-?']).error !== undefined)('ssh trust plan - read by OpenSSH', () => {
  it('ssh trust plan - sshd -t accepts the config and the derived host key', () => {
    const root = mkdtempSync(join(tmpdir(), 'ssh-trust-'));
    try {
      const a = anAssignment({ jobId: 'j1', hosts: ['127.0.0.1'], sshTrust: { dir: '/home/ma-user/.ssh' } });
      const p = planSshTrust({ assignment: { ...a, sshTrust: a.sshTrust! }, paths: taskPaths(root, a), host: '127.0.0.1', secret, sshd: '/usr/sbin/sshd' });
      for (const f of p.files) {
        mkdirSync(dirname(f.path), { recursive: true, mode: 0o700 });
        writeFileSync(f.path, f.content, { mode: f.mode });
      }
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
      const out = spawnSync('/usr/sbin/sshd', ['-t', '-f', `${p.sshdDir}/sshd_config`], { encoding: 'utf8' });
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      const keygen = spawnSync('ssh-keygen', ['-y', '-f', `${p.dir}/id_rsa`], { encoding: 'utf8' });
      expect(keygen.stdout.trim()).toBe(file(p as any, 'id_rsa.pub').content.trim());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
