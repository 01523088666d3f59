// Public surface of the scheduler, for an all-in-one process.
export { DEFAULT_SCHEDULER_OPTIONS, SchedulerService, type SchedulerOptions } from './scheduler-service';
export { SchedulerModule, type SchedulerDeps } from './scheduler.module';
export { startScheduler, type SchedulerApp } from './start-scheduler';
