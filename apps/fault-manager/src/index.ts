// Public surface of the fault manager, for an all-in-one process.
export { FaultManager } from './fault-manager';
export type { FaultManagerOptions } from './fault-manager-options';
export { FaultManagerModule, type FaultManagerModuleDeps } from './fault-manager.module';
export { startFaultManager, type FaultManagerApp } from './start-fault-manager';
