// Public surface of the log router, for an all-in-one process.
export { startLogRouterService, type LogRouterService, type LogRouterServiceOptions } from './log-router-service';
export { LogRouterModule, type LogRouterDeps } from './log-router.module';
export { DEFAULT_LOG_ROUTER_OPTIONS } from './log-router';
export { retentionFromEnv } from './log-retention';
