import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { freshSchema, makeTestCertificates, passableTempDir, natsTlsConfig, startNatsServer, TEST_ADMIN_TOKEN, type FreshSchema, type NatsServer, type TestCertificates } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../apps/all-in-one/src/local-cluster';
import { buildOnce, ROOT } from './support/processes';
import { shellJob } from './support/specs';
import { eventually } from './support/eventually';

/** The built CLI with exactly these variables (never the machine's config): exit code and output. */
function yardWith(vars: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = { PATH: process.env.PATH ?? '', TY_CONFIG: '/nonexistent/trainyard.yaml', ...vars };
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/yard.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** `GET url` over https trusting `ca` only: status and body. */
function getWithCa(url: string, ca: Buffer | undefined, token = TEST_ADMIN_TOKEN): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/**
 * TLS end to end (issue 11): a whole cluster whose every service and agent reaches a nats-server that
 * takes TLS only and verifies client certificates, and an API that serves HTTPS; the CLI trusts the
 * API's CA from its context or TY_API_CA, and refuses it without. Certificates are made by the test.
 */
describe('TLS - NATS client connections and the HTTPS API', { timeout: 120_000 }, () => {
  let certs: TestCertificates;
  let nats: NatsServer;
  let schema: FreshSchema;
  let cluster: LocalCluster;
  let dataDir: string;

  beforeAll(async () => {
    buildOnce();
    certs = makeTestCertificates();
    nats = await startNatsServer({ args: ['-c', natsTlsConfig(certs, { verify: true })] });
    schema = await freshSchema();
    dataDir = passableTempDir('trainyard-tls-');
    // connectNats takes TLS from the environment, as every service's main does.
    vi.stubEnv('TY_NATS_CA', certs.caFile);
    vi.stubEnv('TY_NATS_CERT', certs.clientCert);
    vi.stubEnv('TY_NATS_KEY', certs.clientKey);
    cluster = await startLocalCluster({
      natsUrl: nats.url,
      databaseUrl: schema.url,
      schema: schema.schema,
      dataDir,
      api: { host: '127.0.0.1', port: 0, tls: { certFile: certs.serverCert, keyFile: certs.serverKey } },
      agents: [{ nodeId: 'tls-node', capacity: { cpu: 1, memoryMiB: 1024, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 1_000 }],
      scheduler: { heartbeatTimeoutMs: 3_000, stopGraceMs: 1_000, tickMs: 250 },
      apiOptions: { bootstrapAdmin: { token: TEST_ADMIN_TOKEN } },
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    vi.unstubAllEnvs();
    await nats?.stop();
    await schema?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    certs?.[Symbol.dispose]();
  });

  it('the bus takes TLS only: a plain client is refused, the cluster connected over TLS with client certificates', async () => {
    await expect(connect({ servers: nats.url, timeout: 2_000, reconnect: false })).rejects.toThrow();
    expect(cluster.nc.info?.tls_required).toBe(true);
    expect(cluster.nc.info?.tls_verify).toBe(true);
  });

  it('the API serves HTTPS with the configured certificate; a job runs on the agent across the TLS bus', async () => {
    expect(cluster.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = await import('node:fs').then((fs) => fs.readFileSync(certs.caFile));
    expect((await getWithCa(`${cluster.apiUrl}/healthz`, ca)).status).toBe(200);
    await expect(getWithCa(`${cluster.apiUrl}/healthz`, undefined)).rejects.toThrow(/certificate|self.signed|verify/i);

    const submit = await yardWith({ TY_API_CA: certs.caFile, TY_TOKEN: TEST_ADMIN_TOKEN }, ['submit', '--json', '--api', cluster.apiUrl, writeSpec(shellJob('over-tls', 'echo hello-over-tls'))]);
    expect(submit.code, submit.stderr).toBe(0);
    const id = JSON.parse(submit.stdout).id as string;
    const job = await eventually(async () => {
      const j = JSON.parse((await getWithCa(`${cluster.apiUrl}/v1/training-jobs/${id}`, ca)).body);
      return ['completed', 'failed', 'abnormal'].includes(j.state) ? j : undefined;
    }, 60_000);
    expect(job.state).toBe('completed');
    // Its log came back through the log router, over the same bus.
    const logs = await eventually(async () => {
      const r = await yardWith({ TY_API_CA: certs.caFile, TY_TOKEN: TEST_ADMIN_TOKEN }, ['logs', id, '--api', cluster.apiUrl]);
      return r.stdout.includes('hello-over-tls') ? r : undefined;
    }, 20_000);
    expect(logs.code).toBe(0);
  });

  it('the CLI trusts the CA of its context, and without one refuses the certificate saying how to fix it', async () => {
    const config = join(dataDir, 'cli.yaml');
    writeFileSync(config, `current-context: tls\ncontexts:\n  tls: { api: ${JSON.stringify(cluster.apiUrl)}, token: ${TEST_ADMIN_TOKEN}, ca: ${JSON.stringify(certs.caFile)} }\n`, { mode: 0o600 });
    const trusted = await yardWith({ TY_CONFIG: config }, ['jobs', '--json']);
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(JSON.parse(trusted.stdout).items.map((j: { name: string }) => j.name)).toContain('over-tls');

    const untrusted = await yardWith({ TY_TOKEN: TEST_ADMIN_TOKEN }, ['jobs', '--api', cluster.apiUrl]);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(/^error TLS_UNTRUSTED: .*certificate not trusted/);
    expect(untrusted.stderr).toContain('TY_API_CA');

    // The wrong CA is no better than none.
    const wrong = await yardWith({ TY_TOKEN: TEST_ADMIN_TOKEN, TY_API_CA: certs.otherCaFile }, ['jobs', '--api', cluster.apiUrl]);
    expect(wrong.stderr).toMatch(/^error TLS_UNTRUSTED/);

    const login = await yardWith({ TY_CONFIG: join(dataDir, 'login.yaml') }, ['login', '--api', cluster.apiUrl, '--token', TEST_ADMIN_TOKEN, '--ca', certs.caFile, '--name', 'prod']);
    expect(login.code, login.stderr).toBe(0);
    const after = await yardWith({ TY_CONFIG: join(dataDir, 'login.yaml') }, ['jobs', '--json']);
    expect(after.code, after.stderr).toBe(0);
  });

  function writeSpec(spec: unknown): string {
    const file = join(dataDir, `spec-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(spec));
    return file;
  }
});
