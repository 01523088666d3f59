import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/transport-node';
import { AdminController } from './admin/admin.controller';
import { API_OPTIONS, COMMANDS, READS } from './api.tokens';
import type { ApiOptions } from './api-options';
import { CommandClient } from './command-client';
import { HeartbeatTracker } from '@trainyard/liveness';
import { NodesController } from './nodes/nodes.controller';
import { PoolsController } from './pools/pools.controller';
import type { ReadModel } from './read-model';
import { HealthController } from './system/health.controller';
import { HttpErrorFilter } from './system/http-error.filter';
import { OpenApiController } from './system/openapi.controller';
import { NATS } from './system/system.tokens';
import { TrainingJobsController } from './training-jobs/training-jobs.controller';
import { LogsController } from './training-jobs/logs.controller';
import { LOG_READS, type LogReads } from './training-jobs/log-reads';

export interface ApiDeps {
  nc: NatsConnection;
  reads: ReadModel;
  /** The log store (log endpoints). */
  logs: LogReads;
  options: ApiOptions;
}

@Module({})
export class ApiModule {
  static forRoot(deps: ApiDeps): DynamicModule {
    return {
      module: ApiModule,
      controllers: [TrainingJobsController, LogsController, NodesController, PoolsController, AdminController, HealthController, OpenApiController],
      providers: [
        { provide: NATS, useValue: deps.nc },
        { provide: READS, useValue: deps.reads },
        { provide: LOG_READS, useValue: deps.logs },
        { provide: API_OPTIONS, useValue: deps.options },
        { provide: COMMANDS, useValue: new CommandClient(deps.nc) },
        { provide: HeartbeatTracker, useFactory: () => new HeartbeatTracker(deps.nc).start() },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
