// Plumbing shared by the replicas that fold the log and act on it (scheduler, fault manager).
export * from './coalescing-loop';
export * from './position-waiters';
export * from './leader-lease';
export * from './replica-shell';
export * from './replica-app';
