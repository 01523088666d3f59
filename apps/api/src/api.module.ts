import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/transport-node';
import { AdminController } from './admin/admin.controller';
import { QuarantineController } from './admin/quarantine.controller';
import { QUARANTINES, Quarantines } from './admin/quarantines';
import { JetStreamDeadLetters } from '@trainyard/quarantine';
import { API_OPTIONS, COMMANDS, READS } from './api.tokens';
import type { ApiOptions } from './api-options';
import { commandClient } from './command-client';
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
import { FLAVOR_CATALOGUE, FlavorCatalogue } from './flavors/flavor-catalogue';
import { FlavorsController } from './flavors/flavors.controller';
import { TaskExecController } from './training-jobs/task-exec.controller';
import { JobMetadataController } from './training-jobs/job-metadata.controller';
import { ExperimentsController } from './experiments/experiments.controller';
import { V2_CONTROLLERS } from './v2/v2.controllers';
import { EventsController } from './history/events.controller';
import { JetStreamEventLog } from '@trainyard/event-log';
import { AUTHENTICATOR, IDENTITY } from './auth/auth.tokens';
import { AuthGuard } from './auth/auth.guard';
import { Authenticator } from './auth/authenticator';
import { bootstrapIdentity } from './auth/bootstrap-admin';
import { IamController } from './auth/iam.controller';
import { NodeJoinController } from './nodes/node-join.controller';
import { IdentityDirectory } from './auth/identity-directory';
import { OidcVerifier } from './auth/oidc-verifier';
import { oidcVerifierFromEnv } from './auth/oidc-options';
import { HistoryController } from './history/history.controller';
import { HistoryAdminController } from './history/history-admin.controller';
import { QuotasController } from './quotas/quotas.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { SUBSCRIPTIONS } from './notifications/notification.tokens';
import { SubscriptionDirectory } from './notifications/subscription-directory';
import { SearchesController } from './searches/searches.controller';
import { SearchDirectory } from './searches/search-directory';
import { SEARCHES } from './searches/search.tokens';

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
        // History (issue 17).
        EventsController, HistoryController, HistoryAdminController,
        IamController,
        // Joining a node with a token (issue 12).
        NodeJoinController,
        // The flavor catalogue and the vendor-compatible v2 surface (issue 18).
        FlavorsController, JobMetadataController, ExperimentsController, ...V2_CONTROLLERS,
        // A command run in a running task (issue 15).
        TaskExecController,
        // Quotas (issue 16).
        QuotasController,
        // Webhook notifications (issue 15).
        NotificationsController,
        // Hyperparameter searches (issue 15).
        SearchesController,
      ],
      providers: [
        { provide: NATS, useValue: deps.nc },
        { provide: READS, useValue: deps.reads },
        { provide: QUARANTINES, useFactory: () => new Quarantines(deps.reads, new JetStreamDeadLetters(deps.nc)) },
        { provide: LOG_READS, useValue: deps.logs },
        { provide: API_METRICS, useFactory: () => (registerControlPlaneMetrics(deps.metrics), deps.metrics) },
        { provide: ResourceSampleFeed, useFactory: () => new ResourceSampleFeed(deps.nc) },
        { provide: API_OPTIONS, useValue: deps.options },
        { provide: FLAVOR_CATALOGUE, useFactory: () => new FlavorCatalogue(deps.nc) },
        {
          provide: CONSOLE_OPTIONS,
          useFactory: () => ({ dir: deps.options.console?.dir ?? defaultConsoleDir(), oidc: deps.options.console?.oidc ?? oidcFromEnv(process.env) }),
        },
        { provide: COMMANDS, useValue: commandClient(deps.nc) },
        { provide: HeartbeatTracker, useFactory: () => new HeartbeatTracker(deps.nc).start() },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        ShutdownSignal,
        {
          // Who may do what, folded from the log before the first request is served.
          provide: IDENTITY,
          useFactory: async () => {
            const directory = new IdentityDirectory(new JetStreamEventLog(deps.nc));
            await directory.start();
            await bootstrapIdentity(directory, deps.options.bootstrapAdmin);
            return directory;
          },
        },
        {
          // Webhook subscriptions, folded from the log before the first request is served.
          provide: SUBSCRIPTIONS,
          useFactory: async () => {
            const directory = new SubscriptionDirectory(new JetStreamEventLog(deps.nc));
            await directory.start();
            return directory;
          },
        },
        {
          // Hyperparameter searches, folded from the log before the first request is served.
          provide: SEARCHES,
          useFactory: async () => {
            const directory = new SearchDirectory(new JetStreamEventLog(deps.nc));
            await directory.start();
            return directory;
          },
        },
        {
          provide: AUTHENTICATOR,
          inject: [IDENTITY],
          useFactory: (directory: IdentityDirectory) => {
            const oidc = deps.options.oidc === undefined ? oidcVerifierFromEnv(process.env) : deps.options.oidc;
            return new Authenticator(directory, oidc ? new OidcVerifier(oidc) : undefined);
          },
        },
        // Guards run in this order: who calls (401/403) before what it sent (400) and the streams (503).
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: InputHygieneGuard },
        { provide: StreamHealth, useFactory: () => new StreamHealth(deps.nc, () => deps.reads.position()) },
        { provide: APP_GUARD, useClass: StreamHealthGuard },
      ],
    };
  }
}
