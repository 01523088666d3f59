import type { Principal } from '@trainyard/contracts';
import { principalOf, usableToken } from '@trainyard/domain';
import type { IdentityDirectory } from './identity-directory';
import type { OidcVerifier } from './oidc-verifier';
import { parseToken, sameDigest } from './token-secret';

/** Why a request has no principal; every reason answers 401, the reason is for logs and metrics. */
export type AuthRefusal = 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'bad-signature' | 'wrong-claims' | 'unverifiable';

export type Authentication = { ok: true; principal: Principal } | { ok: false; reason: AuthRefusal; message: string };

const MESSAGES: Record<AuthRefusal, string> = {
  missing: 'this endpoint needs a bearer token (Authorization: Bearer …; `yard login`)',
  malformed: 'the Authorization header is not a bearer token',
  unknown: 'the token is not known here',
  expired: 'the token has expired',
  revoked: 'the token has been revoked',
  'bad-signature': 'the token is not valid',
  'wrong-claims': 'the token is not for this cluster',
  unverifiable: 'the token cannot be verified',
};

/**
 * Turns an `Authorization` header into a principal: our API tokens (`tyt_…`), else an OIDC JWT when
 * an issuer is configured. Nothing else authenticates.
 */
export class Authenticator {
  constructor(
    private readonly directory: IdentityDirectory,
    private readonly oidc: OidcVerifier | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async authenticate(header: string | undefined): Promise<Authentication> {
    if (!header) return refuse('missing');
    const m = /^Bearer ([\x21-\x7e]{1,8192})$/i.exec(header.trim());
    if (!m) return refuse('malformed');
    const presented = m[1];
    if (presented.startsWith('tyt_')) {
      const parsed = parseToken(presented);
      if (!parsed) return refuse('malformed');
      const found = usableToken(this.directory.view, parsed.tokenId, this.now());
      if (!found.ok) return refuse(found.reason);
      // A known id with the wrong secret is a forgery: say no more than for a bad signature.
      if (!sameDigest(found.token.secretSha256, parsed.secretSha256)) return refuse('bad-signature');
      return { ok: true, principal: principalOf(this.directory.view, { subject: found.token.subject, token: found.token }) };
    }
    if (this.oidc && presented.split('.').length === 3) {
      const v = await this.oidc.verify(presented);
      if (!v.ok) return { ok: false, reason: v.reason, message: v.message };
      return { ok: true, principal: principalOf(this.directory.view, { subject: v.identity.subject, groups: v.identity.groups }) };
    }
    return refuse('unknown');
  }
}

const refuse = (reason: AuthRefusal): Authentication => ({ ok: false, reason, message: MESSAGES[reason] });
