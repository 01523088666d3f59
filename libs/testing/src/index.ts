// Disposable fixtures over the real servers of this machine (STYLE 13).
export * from './nats-server';
export * from './postgres-schema';
export * from './object-store';
export * from './admin-token';
export * from './test-certificates';
export * from './task-dirs';
export * from './fleet/fake-task';
