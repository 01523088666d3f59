export * from './heartbeat-tracker';
