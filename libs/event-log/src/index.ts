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
export { handleCommand, type HandleCommandAccepted, type HandleCommandOptions, type HandleCommandRejected, type HandleCommandResult } from './command-handler';
export { connectNats, DEFAULT_NATS_URL } from './connect';
export { natsGreets } from './nats-greeting';
export { NatsTlsConfigError, natsTlsFromEnv, natsTlsOptions, type NatsTlsFiles } from './nats-tls';
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
export {
  ALLOW_OLD_NATS_REPLICAS_ENV,
  allowOldNatsReplicasFromEnv,
  MIN_REPLICATED_SERVER_VERSION,
  parseServerVersion,
  replicationVerdict,
  streamReplicasFromEnv,
  versionAtLeast,
  type ReplicationVerdict,
  type ServerVersion,
} from './replication-gate';
export { checkReplication, storeReplicas, UnsafeReplication, type ReplicationCheckOptions } from './replication-check';
export { restoreCommits } from './restore-commits';
export { credentialOptions, natsCredentialsFromEnv, NatsCredentialsError, readNatsCredentials, type NatsCredentials } from './nats-credentials';
export { AUTHORIZATION_FILE, bootstrapBus, credentialsFile, writeNatsServerConfig, type BusBootstrap } from './bus-bootstrap';
