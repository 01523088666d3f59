// Public surface of the API, for an all-in-one process (the only app that may import another, and only here).
export { apiOptionsFromEnv, DEFAULT_API_OPTIONS, type ApiOptions } from './api-options';
export { startApiServer, type ApiListen, type ApiServer } from './api-server';
export { apiTlsFromEnv, type ApiTls } from './api-tls';
export { DbReadModel } from './db-read-model';
export { dbApiMetrics } from './metrics/api-metrics-port';
export { dbLogReads } from './training-jobs/log-reads';
