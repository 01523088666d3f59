// Public surface of @trainyard/transport-jetstream: the Nest transport every service uses for
// commands (request/reply) and commits (JetStream consumers), its client, and the reply filter.
export { JetStreamServer, type JetStreamServerOptions } from './jetstream-server';
export { JetStreamClient, type JetStreamClientOptions } from './jetstream-client';
export { CommandRecord } from './command-record';
export { CommandReplyFilter, toRpcException } from './command-reply.filter';
export { CommandContext, CommitContext } from './contexts';
export { ALWAYS_OPEN, type IntakeGate } from './intake-gate';
export type { ConsumerBinding } from './consumer-binding';
export { startService, type StartServiceOptions } from './start-service';
export { commandPrincipal } from './command-principal';
