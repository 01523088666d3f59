import type { NatsConnection } from '@nats-io/transport-node';
import { type DynamicModule, Module } from '@nestjs/common';
import type { EventLog } from '@trainyard/event-log';
import { ReplicaLifecycle, ReplicaShell } from '@trainyard/replica';
import { randomUUID } from 'node:crypto';
import { FaultManager, type FaultManagerDeps } from './fault-manager';
import { FaultManagerCommands } from './fault-manager-commands';
import type { FaultManagerOptions } from './fault-manager-options';
import { FaultManagerController } from './fault-manager.controller';

export interface FaultManagerModuleDeps extends FaultManagerDeps {
  nc: NatsConnection;
  log: EventLog;
  options?: Partial<FaultManagerOptions>;
  /** Connected with NATS credentials (a locked bus): commands without the API's principal header are refused. */
  requirePrincipal?: boolean;
}

/**
 * The fault manager as a Nest module: the fault policy, the replica shell it is plugged into (lease,
 * fold, passes, command intake gate), and the operators' node commands.
 */
@Module({})
export class FaultManagerModule {
  static forRoot(deps: FaultManagerModuleDeps): DynamicModule {
    return {
      module: FaultManagerModule,
      controllers: [FaultManagerController],
      providers: [
        { provide: FaultManager, useFactory: () => new FaultManager(deps.nc, deps.log, deps.options, { db: deps.db, clock: deps.clock }) },
        {
          provide: ReplicaShell,
          inject: [FaultManager],
          useFactory: (policy: FaultManager) =>
            new ReplicaShell(deps.nc, deps.log, policy, {
              role: 'fault-manager',
              lease: policy.options.lease,
              tickMs: policy.options.tickMs,
              id: `fault-manager-${randomUUID().slice(0, 8)}`,
              say: (m) => (policy.options.log ?? ((l) => console.error(`[fault-manager] ${l}`)))(m),
            }),
        },
        {
          provide: FaultManagerCommands,
          inject: [FaultManager, ReplicaShell],
          useFactory: (policy: FaultManager, shell: ReplicaShell) => new FaultManagerCommands(deps.log, policy, shell, deps.requirePrincipal),
        },
        ReplicaLifecycle,
      ],
    };
  }
}
