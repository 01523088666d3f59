// @trainyard/testing/event-log: a log on a private nats-server, and the EventLog conformance suite (vitest).
export * from './event-log-fixture';
export { testEventLog, type EventLogHarness, type StartHarness } from './conformance';
export { eventually, meta, priorities, queued } from './conformance/harness';
