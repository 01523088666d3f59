import { PrivateFileError, readPrivateFile } from '../private-file';
import { Secret } from './secret';

/**
 * One S3-compatible store the agent stages data with (issue 14): any S3 API — MinIO, Ceph RGW, a
 * cloud store, s3rver in the tests. Read from the agent's secrets file (`TY_OBJECT_STORES_FILE`), never
 * from a job spec: a job names only `s3://bucket/prefix`, and the node picks the store that serves
 * that bucket for its pool.
 */
export interface ObjectStore {
  name: string;
  /** `http(s)://host:port`; becomes the task's `MA_S3_ENDPOINT` (Table 14-19). */
  endpoint: string;
  region: string;
  accessKeyId: Secret;
  secretAccessKey: Secret;
  /** Path-style URLs (`endpoint/bucket/key`): MinIO, Ceph and s3rver need them. Default true. */
  forcePathStyle: boolean;
  /** `S3_VERIFY_SSL` of the task (the guide's default is 0, L12387-12392). Default false. */
  verifySsl: boolean;
  /** Pools this store serves; empty = every pool. */
  pools: string[];
  /** Buckets this store serves; empty = any bucket. */
  buckets: string[];
  /**
   * A separate, narrower key the task itself may use (read-only or prefix-scoped, issued by the store's
   * operator): exported to the task as `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`. Absent (the
   * default): the task gets no credential at all, only the guide's endpoint variables.
   */
  taskCredentials?: { accessKeyId: Secret; secretAccessKey: Secret };
}

export class ObjectStoreConfigError extends Error {
  override readonly name = 'ObjectStoreConfigError';
}

/**
 * Reads the secrets file. It must not be readable by group or others (mode 0600 or stricter): a file
 * of keys anyone on the node can read is refused at start, not used.
 *
 * @example
 * // /etc/trainyard/object-stores.json, mode 0600
 * { "stores": [{ "name": "lab", "endpoint": "https://minio.lab:9000", "region": "us-east-1",
 *     "accessKeyId": "AKIA…", "secretAccessKey": "…", "pools": ["default"], "buckets": ["datasets", "ckpt"] }] }
 */
export function loadObjectStores(file: string | undefined): ObjectStore[] {
  if (!file) return [];
  let text: string;
  try {
    text = readPrivateFile(file, 'TY_OBJECT_STORES_FILE');
  } catch (err) {
    if (err instanceof PrivateFileError) throw new ObjectStoreConfigError(err.message);
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not the parser's message: it may quote the file's text, keys included.
    throw new ObjectStoreConfigError(`TY_OBJECT_STORES_FILE ${file} is not valid JSON`);
  }
  return parseObjectStores(doc);
}

/** Pure: the stores of a parsed secrets file, checked field by field (messages never quote a key). */
export function parseObjectStores(doc: unknown): ObjectStore[] {
  const list = (doc as { stores?: unknown })?.stores;
  if (!Array.isArray(list)) throw new ObjectStoreConfigError('the object-stores file needs a "stores" list');
  return list.map((raw, i) => {
    const at = `stores[${i}]`;
    const s = raw as Record<string, unknown>;
    const str = (k: string, required = true): string | undefined => {
      const v = s?.[k];
      if (v === undefined && !required) return undefined;
      if (typeof v !== 'string' || v === '') throw new ObjectStoreConfigError(`${at}.${k} must be a non-empty string`);
      return v;
    };
    const strings = (k: string): string[] => {
      const v = s?.[k] ?? [];
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ObjectStoreConfigError(`${at}.${k} must be a list of strings`);
      return v as string[];
    };
    const endpoint = str('endpoint')!;
    if (!/^https?:\/\/[^/]+\/?$/.test(endpoint)) throw new ObjectStoreConfigError(`${at}.endpoint must be http(s)://host[:port]`);
    const task = s.taskCredentials as Record<string, unknown> | undefined;
    if (task !== undefined && (typeof task?.accessKeyId !== 'string' || typeof task?.secretAccessKey !== 'string')) {
      throw new ObjectStoreConfigError(`${at}.taskCredentials needs accessKeyId and secretAccessKey`);
    }
    return {
      name: str('name', false) ?? `store-${i}`,
      endpoint: endpoint.replace(/\/$/, ''),
      region: str('region', false) ?? 'us-east-1',
      accessKeyId: new Secret(str('accessKeyId')!),
      secretAccessKey: new Secret(str('secretAccessKey')!),
      forcePathStyle: s.forcePathStyle === undefined ? true : s.forcePathStyle === true,
      verifySsl: s.verifySsl === true,
      pools: strings('pools'),
      buckets: strings('buckets'),
      ...(task ? { taskCredentials: { accessKeyId: new Secret(task.accessKeyId as string), secretAccessKey: new Secret(task.secretAccessKey as string) } } : {}),
    };
  });
}

/** The store serving `bucket` for `pool`: the first that lists both (an empty list matches all). */
export function storeFor(stores: readonly ObjectStore[], pool: string, bucket: string): ObjectStore | undefined {
  return stores.find((s) => (s.pools.length === 0 || s.pools.includes(pool)) && (s.buckets.length === 0 || s.buckets.includes(bucket)));
}
