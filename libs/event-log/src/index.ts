// Public surface of @trainyard/event-log: the port, its JetStream implementation, the command
// handler built on it, and the set-up helpers services call at start-up.
export type {
  AggregateHistory,
  AppendResult,
  ConsumeContext,
  ConsumeOptions,
  EventLog,
  ReplayOptions,
  SubscribeOptions,
  Subscription,
} from './event-log';
export { JetStreamEventLog, type JetStreamEventLogOptions } from './jetstream-event-log';
export { InMemoryEventLog } from './in-memory-event-log';
export { handleCommand, type HandleCommandOptions, type HandleCommandResult } from './command-handler';
export { connectNats, DEFAULT_NATS_URL } from './connect';
export { ensureStreams, streamConfigs, type EnsureStreamsOptions } from './ensure-streams';
export { awaitStreams, openStreams, streamInfo, streamVerdict, type AwaitStreamsOptions, type OwnedStreams } from './open-streams';
export { commitMsgId, decodeCommit, encodeCommit, upcast, type CommitBody, type StoredEvent } from './codec';
export { isLiteralSubject, subjectMatches } from './subject-filter';
export {
  EventLogError,
  EventLogUnavailable,
  MalformedCommit,
  NatsUnreachable,
  STREAM_MISSING_HINT,
  StreamMissing,
  StreamVersionConflict,
  toEventLogError,
} from './errors';
