import type { NatsConnection } from '@nats-io/transport-node';
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventLog } from '@trainyard/event-log';
import { ReportIntake } from '@trainyard/node-reports';
import { ReplicaLifecycle, ReplicaShell } from '@trainyard/replica';
import { randomUUID } from 'node:crypto';
import { SchedulerCommands } from './scheduler-commands';
import { SchedulerQueries } from './scheduler-queries';
import { SchedulerController } from './scheduler.controller';
import { SchedulerService, type SchedulerOptions } from './scheduler-service';

export interface SchedulerDeps {
  nc: NatsConnection;
  log: EventLog;
  options?: Partial<SchedulerOptions>;
  clock?: () => Date;
  /** Connected with NATS credentials (a locked bus): commands without the API's principal header are refused. */
  requirePrincipal?: boolean;
}

/**
 * Takes the node agents' reports (`ty.report.<node>.<verb>`) and appends them, on every replica: the
 * appends carry expected sequences, so a standby may answer too and a hand-over loses no report.
 */
@Injectable()
class SchedulerReportIntake implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(ReportIntake) private readonly intake: ReportIntake) {}

  onApplicationBootstrap(): void {
    this.intake.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.intake.stop();
  }
}

/**
 * The scheduler as a Nest module: the scheduling policy, the replica shell it is plugged into (the
 * lease, the fold, the passes; also the command intake gate), the job commands' controller, and the
 * intake of the node agents' reports.
 */
@Module({})
export class SchedulerModule {
  static forRoot(deps: SchedulerDeps): DynamicModule {
    return {
      module: SchedulerModule,
      controllers: [SchedulerController],
      providers: [
        { provide: SchedulerService, useFactory: () => new SchedulerService(deps.nc, deps.log, deps.options, deps.clock) },
        {
          provide: ReplicaShell,
          inject: [SchedulerService],
          useFactory: (policy: SchedulerService) =>
            new ReplicaShell(deps.nc, deps.log, policy, {
              role: 'scheduler',
              lease: policy.options.lease,
              tickMs: policy.options.tickMs,
              id: `scheduler-${randomUUID().slice(0, 8)}`,
              say: (m) => (policy.options.log ?? ((l) => console.error(`[scheduler] ${l}`)))(m),
            }),
        },
        { provide: SchedulerCommands, inject: [SchedulerService], useFactory: (policy: SchedulerService) => new SchedulerCommands(deps.log, policy, deps.requirePrincipal) },
        { provide: SchedulerQueries, inject: [SchedulerService], useFactory: (policy: SchedulerService) => new SchedulerQueries(policy) },
        ReplicaLifecycle,
        { provide: ReportIntake, useFactory: () => new ReportIntake(deps.nc, deps.log, { ...(deps.clock ? { now: deps.clock } : {}) }) },
        SchedulerReportIntake,
      ],
    };
  }
}
