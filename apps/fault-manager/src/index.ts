// Public surface of the fault manager, for an all-in-one process.
export { FaultManager } from './fault-manager';
export type { FaultManagerOptions } from './fault-manager-options';
