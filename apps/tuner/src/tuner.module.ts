import type { NatsConnection } from '@nats-io/transport-node';
import { type DynamicModule, Module } from '@nestjs/common';
import type { Database } from '@trainyard/db';
import type { EventLog } from '@trainyard/event-log';
import { ReplicaLifecycle, ReplicaShell } from '@trainyard/replica';
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { Tuner } from './tuner';
import type { TunerOptions } from './tuner-options';

export interface TunerModuleDeps {
  nc: NatsConnection;
  log: EventLog;
  /** The read models' database: the trials' stored logs are read there. */
  db: Kysely<Database>;
  options?: Partial<TunerOptions>;
}

/** The tuner as a Nest module: the search policy in the replica shell (lease, fold, passes). It takes no commands. */
@Module({})
export class TunerModule {
  static forRoot(deps: TunerModuleDeps): DynamicModule {
    return {
      module: TunerModule,
      providers: [
        { provide: Tuner, useFactory: () => new Tuner(deps.nc, deps.log, deps.db, deps.options) },
        {
          provide: ReplicaShell,
          inject: [Tuner],
          useFactory: (policy: Tuner) =>
            new ReplicaShell(deps.nc, deps.log, policy, {
              role: 'tuner',
              lease: policy.options.lease,
              tickMs: policy.options.tickMs,
              id: `tuner-${randomUUID().slice(0, 8)}`,
              say: (m) => (policy.options.log ?? ((l) => console.error(`[tuner] ${l}`)))(m),
            }),
        },
        ReplicaLifecycle,
      ],
    };
  }
}
