import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { connectNats, credentialOptions, readNatsCredentials } from '@trainyard/event-log';
import { startNatsServer } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliEnv } from '../src/cli-env';
import { runCli } from '../src/cli';

async function yard(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const env: CliEnv = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), vars: {}, cwd, now: () => new Date(), sleep: async () => undefined };
  return { code: await runCli(args, env), stdout, stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yard-bootstrap-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('yard admin bootstrap - the locked bus files', () => {
  it('writes a 0600 credentials file per service and agent and an include file nats-server 2.9 accepts; only listed keys connect', async () => {
    const r = await yard(['admin', 'bootstrap', '--nodes', 'gpu-1,gpu-2', '--out', 'bus', '--json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { authorizationFile: string; credentials: Record<string, string> };
    expect(Object.keys(out.credentials).sort()).toEqual(['agent-gpu-1', 'agent-gpu-2', 'api', 'fault-manager', 'log-router', 'notifier', 'scheduler', 'tuner']);
    for (const file of Object.values(out.credentials)) expect((await stat(file)).mode & 0o777).toBe(0o600);
    const auth = await readFile(out.authorizationFile, 'utf8');
    // Public keys only: no seed is in the server's file. Each seed written is looked for by its
    // value - a pattern such as /SU[A-Z2-7]+/ also matches inside a random public key.
    for (const file of Object.values(out.credentials)) {
      const seed = readNatsCredentials(file).seed;
      expect(seed).toMatch(/^SU[A-Z2-7]{56}$/);
      expect(auth).not.toContain(seed);
    }

    await writeFile(path.join(dir, 'bus', 'server.conf'), 'include ./trainyard-auth.conf\n');
    const nats = await startNatsServer({ args: ['-c', path.join(dir, 'bus', 'server.conf')] });
    try {
      const nc = await connectNats(nats.url, 'bootstrap-test', credentialOptions(readNatsCredentials(out.credentials['agent-gpu-1'])));
      await nc.flush();
      await nc.close();
      await expect(connect({ servers: nats.url, maxReconnectAttempts: 0 })).rejects.toThrow(/Authorization Violation/);
    } finally {
      await nats.stop();
    }
  });

  it('run again with another node: the keys already written are kept, the new node gets its own', async () => {
    const before = await readFile(path.join(dir, 'bus', 'agent-gpu-1.creds.json'), 'utf8');
    const r = await yard(['admin', 'bootstrap', '--nodes', 'gpu-1,gpu-3', '--out', 'bus'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('agent-gpu-3');
    expect(await readFile(path.join(dir, 'bus', 'agent-gpu-1.creds.json'), 'utf8')).toBe(before);
    const auth = await readFile(path.join(dir, 'bus', 'trainyard-auth.conf'), 'utf8');
    expect(auth).toContain('# agent-gpu-3');
    expect(auth).not.toContain('# agent-gpu-2');
  });

  it('refuses a node id that is not a subject token, naming the option', async () => {
    const r = await yard(['admin', 'bootstrap', '--nodes', 'a.b', '--out', 'bus2', '--json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/VALIDATION_FAILED|--nodes/);
  });

  it('refuses to use a credentials file others can read', async () => {
    const file = path.join(dir, 'bus', 'api.creds.json');
    const { chmod } = await import('node:fs/promises');
    await chmod(file, 0o644);
    expect(() => readNatsCredentials(file)).toThrow(/readable by others.*chmod 600/);
    await chmod(file, 0o600);
  });
});
