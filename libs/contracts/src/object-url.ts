/**
 * An object-store location of a job spec (issue 14): `s3://<bucket>/<prefix>`, the S3 form of the
 * guide's OBS paths (`obs://bucket/dir/`, which is accepted too and read the same way). The prefix is
 * a "directory": every object under `<prefix>/` belongs to it.
 *
 * @example
 * parseObjectUrl('s3://datasets/mnist/') // { bucket: 'datasets', prefix: 'mnist/' }
 * parseObjectUrl('/mnt/shared/mnist')    // undefined: a local or shared path
 */
export interface ObjectUrl {
  bucket: string;
  /** Empty (the whole bucket) or ending in `/`. */
  prefix: string;
}

/** S3 bucket names (3-63 of lowercase letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Whether `path` names an object store at all (so a local-path rule does not apply to it). */
export function isObjectUrl(path: string): boolean {
  return /^(s3|obs):\/\//i.test(path);
}

/** The bucket and prefix of an `s3://` / `obs://` path; undefined for anything else or a malformed one. */
export function parseObjectUrl(path: string): ObjectUrl | undefined {
  const m = path.match(/^(?:s3|obs):\/\/([^/]+)(?:\/(.*))?$/i);
  if (!m || !BUCKET.test(m[1])) return undefined;
  const rest = (m[2] ?? '').replace(/\/+/g, '/').replace(/^\//, '');
  if (rest.split('/').some((s) => s === '.' || s === '..')) return undefined;
  return { bucket: m[1], prefix: rest === '' || rest.endsWith('/') ? rest : `${rest}/` };
}

/** The last segment of the prefix (`s3://b/code/demo/` → `demo`), the name a code dir is linked by. */
export function lastSegment(url: ObjectUrl): string | undefined {
  return url.prefix.split('/').filter(Boolean).at(-1);
}

export const formatObjectUrl = (u: ObjectUrl, key = '') => `s3://${u.bucket}/${u.prefix}${key}`;
