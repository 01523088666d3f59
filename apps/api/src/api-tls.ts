import { readFileSync } from 'node:fs';

/** The API's certificate and key (PEM files): with them it serves HTTPS only (issue 11). */
export interface ApiTls {
  /** `TY_API_TLS_CERT`: the certificate, with its chain. */
  certFile: string;
  /** `TY_API_TLS_KEY` (mode 0600). */
  keyFile: string;
}

export class ApiTlsConfigError extends Error {
  override readonly name = 'ApiTlsConfigError';
}

/** `TY_API_TLS_CERT` and `TY_API_TLS_KEY`, both or neither; undefined is plain HTTP. */
export function apiTlsFromEnv(env: Record<string, string | undefined>): ApiTls | undefined {
  const certFile = env.TY_API_TLS_CERT?.trim();
  const keyFile = env.TY_API_TLS_KEY?.trim();
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new ApiTlsConfigError(`${certFile ? 'TY_API_TLS_KEY' : 'TY_API_TLS_CERT'} is missing: HTTPS needs a certificate and its key`);
  return { certFile, keyFile };
}

/** The PEM bytes for Node's `https` server; a file that cannot be read fails naming it. */
export function readApiTls(tls: ApiTls): { cert: Buffer; key: Buffer } {
  const read = (variable: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ApiTlsConfigError(`${variable}=${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  return { cert: read('TY_API_TLS_CERT', tls.certFile), key: read('TY_API_TLS_KEY', tls.keyFile) };
}
