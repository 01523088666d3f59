import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files {@link makeTestCertificates} wrote, each a path. */
export interface TestCertificates extends Disposable {
  dir: string;
  /** The CA that signed both certificates below. */
  caFile: string;
  /** For `127.0.0.1` and `localhost`. */
  serverCert: string;
  serverKey: string;
  /** A client certificate (CN `client`), for servers that verify clients. */
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing here: trusting only it must refuse the server. */
  otherCaFile: string;
}

/**
 * A throw-away CA, a server certificate for loopback and a client certificate, made with the
 * machine's `openssl` (RSA 2048, valid two days). Keys are mode 0600. Remove with `[Symbol.dispose]`.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'ty-certs-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ca = (name: string) => openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.pem`), '-days', '2', '-subj', `/CN=trainyard-test-${name}`);
  const signed = (name: string, cn: string, ext: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(at(`${name}.ext`), ext);
    openssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at(`${name}.pem`), '-days', '2', '-extfile', at(`${name}.ext`));
  };
  ca('ca');
  ca('other-ca');
  signed('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  signed('client', 'client', 'extendedKeyUsage=clientAuth\n');
  for (const key of ['ca', 'other-ca', 'server', 'client']) chmodSync(at(`${key}.key`), 0o600);
  return {
    dir,
    caFile: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    otherCaFile: at('other-ca.pem'),
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A nats-server config file with a `tls` block for these certificates (`verify`: clients must show a
 * certificate of the CA), for `startNatsServer({ args: ['-c', file] })`.
 */
export function natsTlsConfig(certs: TestCertificates, opts: { verify?: boolean } = {}): string {
  const file = join(certs.dir, opts.verify ? 'nats-tls-verify.conf' : 'nats-tls.conf');
  writeFileSync(
    file,
    `tls {\n  cert_file: ${JSON.stringify(certs.serverCert)}\n  key_file: ${JSON.stringify(certs.serverKey)}\n  ca_file: ${JSON.stringify(certs.caFile)}\n  verify: ${opts.verify ? 'true' : 'false'}\n  timeout: 2\n}\n`,
  );
  return file;
}
