/**
 * Node join tokens (issue 12): an admin issues one for a node id; the node's agent presents it once,
 * before it expires, and receives that node's NATS credentials. Nothing else is needed on the new
 * machine, and the log records who let which node in and when it came.
 */
export interface JoinTokenRecord {
  tokenId: string;
  /** Hex SHA-256 of the secret part; the secret itself is only in the issuer's answer. */
  secretSha256: string;
  nodeId: string;
  expiresAt: string;
  issuedAt: string;
  issuedBy: string;
  /** Set once it was used: it never works again. */
  redeemedAt?: string;
}

/** Why a presented join token does not let a node in. */
export type JoinRefusal = 'unknown' | 'wrong-secret' | 'expired' | 'spent';

/** Shortest and longest life a join token may be given: long enough to type, short enough to leak harmlessly. */
export const JOIN_TOKEN_TTL_SECONDS = { min: 60, max: 24 * 3600, default: 15 * 60 } as const;

/**
 * Whether `presented` (the SHA-256 of the secret a node sent) redeems `token` at `now`. A wrong
 * secret is checked before anything about the token's state is told, so a guessed id learns nothing.
 *
 * @example
 * ```ts
 * joinVerdict(undefined, 'ab…', now)                         // { ok: false, reason: 'unknown' }
 * joinVerdict({ …, redeemedAt: '…' }, rightSha, now)         // { ok: false, reason: 'spent' }
 * joinVerdict({ …, expiresAt: future }, rightSha, now)       // { ok: true }
 * ```
 */
export function joinVerdict(token: JoinTokenRecord | undefined, presented: string, now: Date): { ok: true } | { ok: false; reason: JoinRefusal } {
  if (!token) return { ok: false, reason: 'unknown' };
  if (!sameHex(token.secretSha256, presented)) return { ok: false, reason: 'wrong-secret' };
  if (token.redeemedAt) return { ok: false, reason: 'spent' };
  if (Date.parse(token.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** Compares two digests without an early exit on the first differing character. */
function sameHex(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}
