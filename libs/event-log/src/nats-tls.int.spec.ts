import { jetstreamManager } from '@nats-io/jetstream';
import { makeTestCertificates, natsTlsConfig, startNatsServer, type NatsServer, type TestCertificates } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectNats } from './connect';
import { NatsUnreachable } from './errors';
import { NatsTlsConfigError, natsTlsFromEnv, natsTlsOptions } from './nats-tls';

// A private nats-server with a `tls` block: the machine's shared NATS stays plain and untouched.
describe('NATS client connections over TLS', { timeout: 60_000 }, () => {
  let certs: TestCertificates;
  let server: NatsServer;
  let verifying: NatsServer;
  beforeAll(async () => {
    certs = makeTestCertificates();
    server = await startNatsServer({ args: ['-c', natsTlsConfig(certs)] });
    verifying = await startNatsServer({ args: ['-c', natsTlsConfig(certs, { verify: true })] });
  });
  afterAll(async () => {
    await server?.stop();
    await verifying?.stop();
    certs?.[Symbol.dispose]();
  });

  it('connects with the CA of TY_NATS_CA and reaches JetStream over the encrypted connection', async () => {
    vi.stubEnv('TY_NATS_CA', certs.caFile);
    try {
      const nc = await connectNats(server.url, 'tls-test');
      expect(nc.info?.tls_required).toBe(true);
      const jsm = await jetstreamManager(nc);
      expect((await jsm.getAccountInfo()).streams).toBe(0);
      const sub = nc.subscribe('tls.echo', { callback: (_e, m) => void m.respond(m.data) });
      expect((await nc.request('tls.echo', 'hello', { timeout: 2_000 })).string()).toBe('hello');
      sub.unsubscribe();
      await nc.drain();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses the server when the CA given did not sign its certificate', async () => {
    const err = await connectNats(server.url, 'tls-test', natsTlsOptions({ caFile: certs.otherCaFile })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsUnreachable);
    expect(String((err as Error).cause)).toMatch(/certificate|self.signed|verify/i);
  });

  it('without a CA the system trust store does not know the test CA: refused', async () => {
    const err = await connectNats(server.url, 'tls-test', { tls: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsUnreachable);
  });

  it('a server that verifies clients takes the client certificate of TY_NATS_CERT/TY_NATS_KEY and refuses a client without one', async () => {
    const withCert = natsTlsFromEnv({ TY_NATS_CA: certs.caFile, TY_NATS_CERT: certs.clientCert, TY_NATS_KEY: certs.clientKey });
    const nc = await connectNats(verifying.url, 'tls-client-cert', natsTlsOptions(withCert));
    expect(nc.info?.tls_verify).toBe(true);
    await nc.flush();
    await nc.close();
    // The server drops the handshake; the client learns it only when its connect times out.
    const started = Date.now();
    const err = await connectNats(verifying.url, 'tls-no-client-cert', { ...natsTlsOptions({ caFile: certs.caFile }), timeout: 2_000 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err).toBeInstanceOf(NatsUnreachable);
  });

  it('a client configured for TLS refuses a plain server rather than talking in the clear', async () => {
    const plain = await startNatsServer();
    try {
      const err = await connectNats(plain.url, 'tls-test', natsTlsOptions({ caFile: certs.caFile })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NatsUnreachable);
    } finally {
      await plain.stop();
    }
  });

  it('settings that cannot work fail at start naming the variable', () => {
    expect(natsTlsFromEnv({})).toBeUndefined();
    expect(() => natsTlsFromEnv({ TY_NATS_CA: `${certs.dir}/missing.pem` })).toThrow(/TY_NATS_CA=.*missing\.pem: cannot read it \(ENOENT\)/);
    expect(() => natsTlsFromEnv({ TY_NATS_CERT: certs.clientCert })).toThrow(NatsTlsConfigError);
    expect(() => natsTlsFromEnv({ TY_NATS_KEY: certs.clientKey })).toThrow(/TY_NATS_CERT is missing/);
  });
});
