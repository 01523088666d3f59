import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens look like `tyt_<id>_<secret>`: the id (12 base32 characters) finds the record, the
 * secret (32 random bytes, base64url) proves possession. Only the secret's SHA-256 is stored; a
 * 256-bit random secret needs no slow hash, and the id lets the check touch one record.
 */
export const TOKEN_FORMAT = /^tyt_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewToken {
  tokenId: string;
  /** The whole token, shown once. */
  token: string;
  secretSha256: string;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function newToken(): NewToken {
  const tokenId = [...randomBytes(12)].map((b) => BASE32[b & 31]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { tokenId, token: `tyt_${tokenId}_${secret}`, secretSha256: sha256(secret) };
}

/** The id and secret hash of a presented token, or undefined when it is not one of ours. */
export function parseToken(token: string): { tokenId: string; secretSha256: string } | undefined {
  const m = TOKEN_FORMAT.exec(token);
  return m ? { tokenId: m[1], secretSha256: sha256(m[2]) } : undefined;
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
