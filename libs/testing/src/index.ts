// Disposable fixtures over the real servers of this machine (STYLE 13).
export * from './nats-server';
export * from './postgres-schema';
