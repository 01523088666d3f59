// @trainyard/testing/scheduling: cluster-view builders and the in-memory scheduler harness, for planner specs.
export * from './cluster-fixtures';
export { SchedulerHarness } from './scheduler-harness';
