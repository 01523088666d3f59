import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { UsageError } from './cli-error';

const trusted = new Set<string>();

/**
 * Makes this process trust the CA in `file` (PEM) beside the system's, for the API's HTTPS
 * certificate (the context's `ca`, `--ca`, or `TY_API_CA`). Process-wide: the CLI is one short
 * process talking to one API, and Node's fetch has no per-request CA without a dispatcher package.
 */
export function trustCa(file: string): void {
  if (trusted.has(file)) return;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`CA file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`CA file ${file} holds no PEM certificate`);
  const t = tls as typeof tls & { setDefaultCACertificates?: (certs: string[]) => void; getCACertificates?: (type: string) => string[] };
  if (!t.setDefaultCACertificates || !t.getCACertificates) throw new UsageError(`a CA file needs Node.js 22.15 or newer (this is ${process.version})`);
  t.setDefaultCACertificates([...t.getCACertificates('default'), pem]);
  trusted.add(file);
}
