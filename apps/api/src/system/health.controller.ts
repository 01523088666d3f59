import { Controller, Get, Inject } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS } from './system.tokens';

@Controller()
export class HealthController {
  constructor(@Inject(NATS) private readonly nc: NatsConnection) {}

  @Get('healthz')
  health() {
    return { status: this.nc.isClosed() ? 'degraded' : 'ok', nats: this.nc.isClosed() ? 'closed' : 'connected' };
  }
}
