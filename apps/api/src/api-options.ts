import type { Caller } from '@trainyard/contracts';
import type { ConsoleOptions } from './console/console-options';

export interface ApiOptions {
  /** Identity used for every request until the auth issue lands. */
  caller: Caller;
  /** How long a write waits for the projection to show it. */
  readYourWritesTimeoutMs: number;
  /** Node liveness: a node whose last heartbeat is older than this is reported `lost`. */
  heartbeatTimeoutMs: number;
  /** The web console: where its build is (default `dist/console`) and the OIDC sign-in (default from `TY_OIDC_*`). */
  console?: Partial<ConsoleOptions>;
  /** `/healthz` is degraded once the projection has kept failing this long (an outage it waits out). */
  projectionStallMs: number;
}

export const DEFAULT_API_OPTIONS: ApiOptions = {
  caller: { id: 'user:local', permissions: ['job:setHighPriority'] },
  readYourWritesTimeoutMs: 10_000,
  heartbeatTimeoutMs: 10_000,
  projectionStallMs: 5_000,
};
