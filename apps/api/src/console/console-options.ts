import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Injection token of {@link ConsoleOptions}. */
export const CONSOLE_OPTIONS = Symbol('ConsoleOptions');

/**
 * An OpenID Connect provider the console signs people in with (authorization code + PKCE, a public
 * client): the browser is sent to the issuer and comes back with a token it sends as a bearer token.
 */
export interface OidcClientConfig {
  issuer: string;
  clientId: string;
  /** Default `openid profile`. */
  scope?: string;
}

export interface ConsoleOptions {
  /** The built console (`dist/console`); null when it is not built. */
  dir: string | null;
  oidc: OidcClientConfig | null;
}

/**
 * Where the built console is: `dist/console` beside the repository root, found from this file both
 * in the sources (`apps/api/src/console`) and in the build (`dist/apps/api/src/console`).
 */
export function defaultConsoleDir(): string | null {
  const up = resolve(__dirname, '../../../..');
  return [join(up, 'dist/console'), join(up, 'console')].find((d) => existsSync(join(d, 'index.html'))) ?? null;
}

/** `TY_OIDC_ISSUER` + `TY_OIDC_CLIENT_ID` (+ `TY_OIDC_SCOPE`) turn the OIDC sign-in on. */
export function oidcFromEnv(env: NodeJS.ProcessEnv): OidcClientConfig | null {
  if (!env.TY_OIDC_ISSUER || !env.TY_OIDC_CLIENT_ID) return null;
  return { issuer: env.TY_OIDC_ISSUER.replace(/\/+$/, ''), clientId: env.TY_OIDC_CLIENT_ID, ...(env.TY_OIDC_SCOPE ? { scope: env.TY_OIDC_SCOPE } : {}) };
}
