import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver ships no types; what is used here is its documented programmatic API (run/close).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };

/**
 * A real S3-compatible server for one test file: s3rver (npm) on a free loopback port, storing in a
 * fresh temporary directory. It checks SigV4 signatures against its one account, whose key pair is
 * `S3RVER` / `S3RVER`, and serves path-style URLs.
 *
 * @example
 * ```ts
 * await using s3 = await startObjectStore({ buckets: ['data'] });
 * // s3.endpoint === 'http://127.0.0.1:<port>'
 * ```
 */
export interface ObjectStoreServer extends AsyncDisposable {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  stop(): Promise<void>;
}

export async function startObjectStore(opts: { buckets?: string[] } = {}): Promise<ObjectStoreServer> {
  const directory = await mkdtemp(join(tmpdir(), 'ty-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: (opts.buckets ?? []).map((name) => ({ name })),
  });
  const { port } = await server.run();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close().catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
