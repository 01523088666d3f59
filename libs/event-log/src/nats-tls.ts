import { accessSync, constants } from 'node:fs';
import type { NodeConnectionOptions } from '@nats-io/transport-node';

/**
 * TLS of a NATS client connection (issue 11): the CA that signed the server's certificate and,
 * when the server verifies clients (`verify: true` in its `tls` block), this client's own
 * certificate and key. Paths to PEM files.
 */
export interface NatsTlsFiles {
  /** `TY_NATS_CA` */
  caFile?: string;
  /** `TY_NATS_CERT` */
  certFile?: string;
  /** `TY_NATS_KEY` (mode 0600: it is this client's credential) */
  keyFile?: string;
}

/** A TLS setting that cannot work: names the variable to fix. */
export class NatsTlsConfigError extends Error {
  override readonly name = 'NatsTlsConfigError';
}

const VARIABLES = { caFile: 'TY_NATS_CA', certFile: 'TY_NATS_CERT', keyFile: 'TY_NATS_KEY' } as const;

/**
 * The TLS files named by `TY_NATS_CA`, `TY_NATS_CERT`, `TY_NATS_KEY`; undefined when none is set
 * (plain connections, the development default). A certificate needs its key and the reverse; every
 * file must be readable now, so a typo fails at start with the variable's name, not at the handshake.
 */
export function natsTlsFromEnv(vars: Record<string, string | undefined> = process.env): NatsTlsFiles | undefined {
  const files: NatsTlsFiles = {};
  for (const [key, name] of Object.entries(VARIABLES) as [keyof NatsTlsFiles, string][]) {
    const value = vars[name]?.trim();
    if (!value) continue;
    try {
      accessSync(value, constants.R_OK);
    } catch (err) {
      throw new NatsTlsConfigError(`${name}=${value}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    files[key] = value;
  }
  if (Boolean(files.certFile) !== Boolean(files.keyFile)) {
    throw new NatsTlsConfigError(`${files.certFile ? VARIABLES.keyFile : VARIABLES.certFile} is missing: a client certificate needs its key`);
  }
  return Object.keys(files).length ? files : undefined;
}

/**
 * The nats.js options for these files: with any of them the connection must be TLS (a server
 * without TLS is refused), verified against `caFile` (else the system's CAs).
 */
export function natsTlsOptions(files: NatsTlsFiles | undefined): Pick<NodeConnectionOptions, 'tls'> {
  return files ? { tls: { ...files } } : {};
}
