import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from './object-stores';
import type { ObjectUrl } from '@trainyard/contracts';
import { type RetryPolicy, withRetry } from './retry-policy';
import type { ListedFile } from './staging-limits';

/** The guide's page size for listings (`list_max_keys`, L13029). */
const PAGE = 1000;

/**
 * Copies between one store and the node's disk (issue 14), every call under the guide's retry
 * policy. Keys are taken relative to the url's prefix; one that would land outside the target dir
 * (`..`, an absolute key) is refused, never written.
 */
export class ObjectTransfer {
  private readonly client: S3Client;

  constructor(
    store: ObjectStore,
    private readonly retry: RetryPolicy,
    /** The SDK's per-call timeout; the guide's `client_timeout` is 30 s (L13029). */
    timeoutMs = 30_000,
  ) {
    this.client = new S3Client({
      endpoint: store.endpoint,
      region: store.region,
      forcePathStyle: store.forcePathStyle,
      credentials: { accessKeyId: store.accessKeyId.reveal(), secretAccessKey: store.secretAccessKey.reveal() },
      // Our policy is the one that retries (the guide's numbers), not the SDK's own.
      maxAttempts: 1,
      requestHandler: { requestTimeout: timeoutMs },
    });
  }

  /** Every object under the prefix (keys relative to it; "directory" marker objects left out). */
  async list(url: ObjectUrl): Promise<ListedFile[]> {
    const out: ListedFile[] = [];
    let token: string | undefined;
    do {
      const page = await withRetry(this.retry, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: url.bucket, Prefix: url.prefix, MaxKeys: PAGE, ContinuationToken: token })),
      );
      for (const o of page.Contents ?? []) {
        const key = o.Key!.slice(url.prefix.length);
        if (key === '' || key.endsWith('/')) continue;
        out.push({ key, size: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** Downloads `files` (from `list`) under `dir`, keeping their relative paths. */
  async download(url: ObjectUrl, files: readonly ListedFile[], dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const f of files) {
      const target = inside(dir, f.key);
      await mkdir(posix.dirname(target), { recursive: true });
      await withRetry(this.retry, async () => {
        const r = await this.client.send(new GetObjectCommand({ Bucket: url.bucket, Key: url.prefix + f.key }));
        await pipeline(r.Body as Readable, createWriteStream(target));
      });
    }
  }

  /** Uploads one file of `dir` to `<prefix><key>`. */
  async upload(dir: string, key: string, url: ObjectUrl): Promise<void> {
    const source = inside(dir, key);
    await withRetry(this.retry, async () => {
      // Read whole: outputs are ≤ 128 MB a file (V11), and a retried PUT needs the body again.
      const body = await readFile(source);
      await this.client.send(new PutObjectCommand({ Bucket: url.bucket, Key: url.prefix + key, Body: body }));
    });
  }

  close(): void {
    this.client.destroy();
  }
}

/** The files under `dir` with size and mtime, keys relative to it (symlinks not followed). */
export async function listLocal(dir: string): Promise<Array<ListedFile & { mtimeMs: number }>> {
  const out: Array<ListedFile & { mtimeMs: number }> = [];
  const walk = async (rel: string) => {
    const entries = await readdir(posix.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const key = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(key);
      else if (e.isFile()) {
        const s = await stat(posix.join(dir, key)).catch(() => undefined);
        if (s) out.push({ key, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  };
  await walk('');
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** `dir/key`, refusing a key that leaves `dir`. */
function inside(dir: string, key: string): string {
  const target = posix.join(dir, key);
  if (posix.isAbsolute(key) || posix.relative(dir, target).startsWith('..')) throw new Error(`object key ${JSON.stringify(key)} leaves ${dir}`);
  return target;
}
