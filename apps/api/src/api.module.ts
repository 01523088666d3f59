import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/transport-node';
import { AdminController } from './admin/admin.controller';
import { QuarantineController } from './admin/quarantine.controller';
import { QUARANTINES, Quarantines } from './admin/quarantines';
import { JetStreamDeadLetters } from '@trainyard/quarantine';
import { API_OPTIONS, COMMANDS, READS } from './api.tokens';
import type { ApiOptions } from './api-options';
import { CommandClient } from './command-client';
import { HeartbeatTracker } from '@trainyard/liveness';
import { NodesController } from './nodes/nodes.controller';
import { PoolsController } from './pools/pools.controller';
import type { ReadModel } from './read-model';
import { HealthController } from './system/health.controller';
import { HttpErrorFilter } from './system/http-error.filter';
import { InputHygieneGuard } from './system/input-hygiene.guard';
import { StreamHealth } from './system/stream-health';
import { StreamHealthGuard } from './system/stream-health.guard';
import { OpenApiController } from './system/openapi.controller';
import { NATS } from './system/system.tokens';
import { TrainingJobsController } from './training-jobs/training-jobs.controller';
import { JobRecoveryController } from './training-jobs/job-recovery.controller';
import { LogsController } from './training-jobs/logs.controller';
import { LOG_READS, type LogReads } from './training-jobs/log-reads';
import { DashboardController } from './dashboard/dashboard.controller';
import { API_METRICS, type ApiMetricsPort } from './metrics/api-metrics-port';
import { registerControlPlaneMetrics } from './metrics/control-plane-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { ResourceSampleFeed } from './metrics/resource-sample-feed';
import { AuditController } from './audit/audit.controller';
import { ConsoleController } from './console/console.controller';
import { CONSOLE_OPTIONS, defaultConsoleDir, oidcFromEnv } from './console/console-options';
import { DashboardTrendController } from './dashboard/dashboard-trend.controller';
import { IdentityController } from './identity/identity.controller';
import { JobStreamController } from './training-jobs/job-stream.controller';
import { ShutdownSignal } from './system/shutdown-signal';

export interface ApiDeps {
  nc: NatsConnection;
  reads: ReadModel;
  /** The log store (log endpoints). */
  logs: LogReads;
  /** Resource samples, dashboard events and control-plane gauges (`/metrics`, `/v1/dashboard`). */
  metrics: ApiMetricsPort;
  options: ApiOptions;
}

@Module({})
export class ApiModule {
  static forRoot(deps: ApiDeps): DynamicModule {
    return {
      module: ApiModule,
      controllers: [
        JobStreamController, TrainingJobsController, LogsController, MetricsController, DashboardController, NodesController, PoolsController, AdminController,
        QuarantineController, HealthController, OpenApiController, JobRecoveryController, IdentityController, AuditController, DashboardTrendController, ConsoleController,
      ],
      providers: [
        { provide: NATS, useValue: deps.nc },
        { provide: READS, useValue: deps.reads },
        { provide: QUARANTINES, useFactory: () => new Quarantines(deps.reads, new JetStreamDeadLetters(deps.nc)) },
        { provide: LOG_READS, useValue: deps.logs },
        { provide: API_METRICS, useFactory: () => (registerControlPlaneMetrics(deps.metrics), deps.metrics) },
        { provide: ResourceSampleFeed, useFactory: () => new ResourceSampleFeed(deps.nc) },
        { provide: API_OPTIONS, useValue: deps.options },
        {
          provide: CONSOLE_OPTIONS,
          useFactory: () => ({ dir: deps.options.console?.dir ?? defaultConsoleDir(), oidc: deps.options.console?.oidc ?? oidcFromEnv(process.env) }),
        },
        { provide: COMMANDS, useValue: new CommandClient(deps.nc) },
        { provide: HeartbeatTracker, useFactory: () => new HeartbeatTracker(deps.nc).start() },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        ShutdownSignal,
        { provide: APP_GUARD, useClass: InputHygieneGuard },
        { provide: StreamHealth, useFactory: () => new StreamHealth(deps.nc, () => deps.reads.position()) },
        { provide: APP_GUARD, useClass: StreamHealthGuard },
      ],
    };
  }
}
