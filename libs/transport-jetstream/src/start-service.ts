import type { NatsConnection } from '@nats-io/transport-node';
import { type DynamicModule, type INestMicroservice, type LogLevel, Module, type OnApplicationShutdown, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventLog } from '@trainyard/event-log';
import { CommandReplyFilter } from './command-reply.filter';
import type { ConsumerBinding } from './consumer-binding';
import type { IntakeGate } from './intake-gate';
import { JetStreamServer } from './jetstream-server';

export interface StartServiceOptions {
  /** The service's module (its providers, its controllers). */
  module: Type | DynamicModule;
  nc: NatsConnection;
  /** The event log `@EventPattern` consumers read; a service without any needs none. */
  log?: EventLog;
  /** The command intake gate, found among the service's providers (e.g. its replica shell). */
  gate?: (app: INestMicroservice) => IntakeGate;
  consumers?: Record<string, ConsumerBinding>;
  /**
   * Run in order after every shutdown hook of the service: what the process opened for it (the NATS
   * connection, the database, tracing). Nothing when the service runs inside a larger process.
   */
  finally?: (() => unknown)[];
  /** A process of its own: SIGTERM/SIGINT close the application (drain, hooks), then exit 0. */
  handleSignals?: boolean;
  /** Nest's own log levels. Default errors and warnings only: services log their own lines. */
  logLevels?: LogLevel[];
}

/** The root around a service module: its `finally` runs after the service's hooks (roots shut down last). */
class AfterShutdown implements OnApplicationShutdown {
  constructor(private readonly tasks: (() => unknown)[]) {}

  async onApplicationShutdown(): Promise<void> {
    for (const task of this.tasks) await Promise.resolve(task()).catch(() => undefined);
  }
}

@Module({})
class ServiceRoot {}

/**
 * Starts one Trainyard service as a Nest microservice on {@link JetStreamServer}: the reply filter
 * set, the intake gate wired, lifecycle hooks run (`onApplicationBootstrap` before the transport
 * listens, `onApplicationShutdown` after it closed), and — for a process of its own — the shutdown
 * signals handled by Nest instead of hand-written handlers.
 *
 * @example
 * ```ts
 * const { app } = await startService({ module: SchedulerModule.forRoot(deps), nc, log, gate: (app) => app.get(ReplicaShell) });
 * await app.close();
 * ```
 */
export async function startService(opts: StartServiceOptions): Promise<{ app: INestMicroservice; server: JetStreamServer }> {
  const server = new JetStreamServer({ nc: opts.nc, log: opts.log, consumers: opts.consumers });
  const root: DynamicModule = {
    module: ServiceRoot,
    imports: [opts.module],
    providers: [{ provide: AfterShutdown, useFactory: () => new AfterShutdown(opts.finally ?? []) }],
  };
  const app = await NestFactory.createMicroservice(root, { strategy: server, logger: opts.logLevels ?? ['error', 'warn'] });
  if (opts.gate) server.useGate(opts.gate(app));
  app.useGlobalFilters(new CommandReplyFilter());
  if (opts.handleSignals) app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  try {
    await app.listen();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return { app, server };
}
