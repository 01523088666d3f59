import { createHash, randomBytes } from 'node:crypto';

/**
 * Join tokens look like `tyj_<id>_<secret>`, API tokens' shape with their own prefix, so neither is
 * ever taken for the other: the id (12 base32 characters) names the aggregate, the secret (32 random
 * bytes, base64url) proves possession, and only its SHA-256 is recorded.
 */
export const JOIN_TOKEN_FORMAT = /^tyj_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function newJoinToken(): { tokenId: string; token: string; secretSha256: string } {
  const tokenId = [...randomBytes(12)].map((b) => BASE32[b & 31]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { tokenId, token: `tyj_${tokenId}_${secret}`, secretSha256: sha256(secret) };
}

export function parseJoinToken(token: string): { tokenId: string; secretSha256: string } | undefined {
  const m = JOIN_TOKEN_FORMAT.exec(token.trim());
  return m ? { tokenId: m[1]!, secretSha256: sha256(m[2]!) } : undefined;
}
