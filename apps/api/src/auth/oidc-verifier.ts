import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

/**
 * OIDC bearer JWTs (issue 11): signed by a key of the issuer's JWKS (found through its discovery
 * document), for our audience, unexpired. Claims become a user and groups: `user:<sub>` by default
 * (the one claim an issuer promises never to reassign) and `group:<g>` for each of `groups`.
 */
export interface OidcVerifierOptions {
  issuer: string;
  /** The `aud` a token must carry (usually the client id the tokens are issued to). */
  audience: string;
  /** Claim naming the user (default `sub`). */
  userClaim?: string;
  /** Claim listing the groups (default `groups`). */
  groupsClaim?: string;
  /** Seconds of clock skew accepted on `exp`/`nbf` (default 30). */
  clockToleranceSec?: number;
}

export interface OidcIdentity {
  subject: string;
  groups: string[];
}

export type OidcRefusal = 'expired' | 'bad-signature' | 'wrong-claims' | 'unverifiable';

export class OidcVerifier {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: OidcVerifierOptions) {}

  /** The identity the token proves, or why it proves none. */
  async verify(token: string): Promise<{ ok: true; identity: OidcIdentity } | { ok: false; reason: OidcRefusal; message: string }> {
    let payload: JWTPayload;
    try {
      const { payload: p } = await jwtVerify(token, await this.keys(), {
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSec ?? 30,
      });
      payload = p;
    } catch (err) {
      return { ok: false, ...refusal(err) };
    }
    const user = payload[this.options.userClaim ?? 'sub'];
    if (typeof user !== 'string' || !/^[A-Za-z0-9_.@+=-]{1,200}$/.test(user)) return { ok: false, reason: 'wrong-claims', message: `the token's ${this.options.userClaim ?? 'sub'} claim is not a user name` };
    const raw = payload[this.options.groupsClaim ?? 'groups'];
    const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string' && /^[A-Za-z0-9_.@+=-]{1,200}$/.test(g)).slice(0, 64).map((g) => `group:${g}`) : [];
    return { ok: true, identity: { subject: `user:${user}`, groups } };
  }

  /** The issuer's key set, found once through discovery; jose caches and refreshes the keys. */
  private async keys() {
    if (this.jwks) return this.jwks;
    const res = await fetch(`${this.options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`OIDC discovery at ${this.options.issuer} answered ${res.status}`);
    const doc = (await res.json()) as { jwks_uri?: string; issuer?: string };
    if (!doc.jwks_uri) throw new Error(`OIDC discovery at ${this.options.issuer} names no jwks_uri`);
    this.jwks = createRemoteJWKSet(new URL(doc.jwks_uri));
    return this.jwks;
  }
}

function refusal(err: unknown): { reason: OidcRefusal; message: string } {
  if (err instanceof errors.JWTExpired) return { reason: 'expired', message: 'the token has expired' };
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) return { reason: 'bad-signature', message: 'the token is not signed by a key of the issuer' };
  if (err instanceof errors.JWTClaimValidationFailed) return { reason: 'wrong-claims', message: `the token's ${err.claim} claim is not accepted` };
  return { reason: 'unverifiable', message: `the token cannot be verified: ${(err as Error).message}` };
}
