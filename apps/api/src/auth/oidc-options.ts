import type { OidcVerifierOptions } from './oidc-verifier';

/**
 * `TY_OIDC_ISSUER` turns OIDC bearer tokens on; their audience is `TY_OIDC_AUDIENCE` (default the
 * console's `TY_OIDC_CLIENT_ID`); `TY_OIDC_USER_CLAIM` / `TY_OIDC_GROUPS_CLAIM` name the claims.
 */
export function oidcVerifierFromEnv(env: NodeJS.ProcessEnv): OidcVerifierOptions | null {
  const audience = env.TY_OIDC_AUDIENCE || env.TY_OIDC_CLIENT_ID;
  if (!env.TY_OIDC_ISSUER || !audience) return null;
  return {
    issuer: env.TY_OIDC_ISSUER.replace(/\/+$/, ''),
    audience,
    ...(env.TY_OIDC_USER_CLAIM ? { userClaim: env.TY_OIDC_USER_CLAIM } : {}),
    ...(env.TY_OIDC_GROUPS_CLAIM ? { groupsClaim: env.TY_OIDC_GROUPS_CLAIM } : {}),
  };
}
