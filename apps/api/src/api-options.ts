import type { ConsoleOptions } from './console/console-options';
import type { OidcVerifierOptions } from './auth/oidc-verifier';

export interface ApiOptions {
  /** How long a write waits for the projection to show it. */
  readYourWritesTimeoutMs: number;
  /** Node liveness: a node whose last heartbeat is older than this is reported `lost`. */
  heartbeatTimeoutMs: number;
  /** The web console: where its build is (default `dist/console`) and the OIDC sign-in (default from `TY_OIDC_*`). */
  console?: Partial<ConsoleOptions>;
  /** `/healthz` is degraded once the projection has kept failing this long (an outage it waits out). */
  projectionStallMs: number;
  /** OIDC bearer JWTs are accepted when set (default from `TY_OIDC_ISSUER`, `TY_OIDC_AUDIENCE`). */
  oidc?: OidcVerifierOptions | null;
  /** `/metrics` without a token (a scraper inside a trusted network); default false: it needs `metrics:read`. */
  metricsPublic?: boolean;
  /**
   * The first admin (issue 11). `token`: this API token (`tyt_…`) is made an admin token if it does
   * not exist yet (test clusters, `TY_BOOTSTRAP_ADMIN_TOKEN`). `onFirstStart`: on a cluster without any
   * token, a new admin token is made and handed to it once (`npm start` prints it and writes the CLI config).
   */
  bootstrapAdmin?: { token?: string; onFirstStart?: (token: string) => void | Promise<void> };
  /**
   * Joining nodes (issue 12, `TY_JOIN_CREDENTIALS_DIR`): the `yard admin bootstrap` directory whose
   * node credentials a join token hands out. Unset: no join tokens are issued.
   */
  joinCredentialsDir?: string;
}

export const DEFAULT_API_OPTIONS: ApiOptions = {
  readYourWritesTimeoutMs: 10_000,
  heartbeatTimeoutMs: 10_000,
  projectionStallMs: 5_000,
};

/**
 * The options of a standalone API: `TY_METRICS_PUBLIC=1` serves `/metrics` without a token;
 * `TY_BOOTSTRAP_ADMIN_TOKEN` (a `tyt_…` token) is made the first admin token if it does not exist;
 * `TY_JOIN_CREDENTIALS_DIR` lets nodes join with a token (`yard admin node join-token`).
 */
export function apiOptionsFromEnv(env: NodeJS.ProcessEnv): ApiOptions {
  return {
    ...DEFAULT_API_OPTIONS,
    ...(env.TY_METRICS_PUBLIC === '1' || env.TY_METRICS_PUBLIC === 'true' ? { metricsPublic: true } : {}),
    ...(env.TY_BOOTSTRAP_ADMIN_TOKEN ? { bootstrapAdmin: { token: env.TY_BOOTSTRAP_ADMIN_TOKEN } } : {}),
    ...(env.TY_JOIN_CREDENTIALS_DIR ? { joinCredentialsDir: env.TY_JOIN_CREDENTIALS_DIR } : {}),
  };
}
