import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { StreamHealth } from './stream-health';

/**
 * Every `/v1` and `/v2` request needs the event stream (commands append to it, reads are its projection): while
 * it is gone they answer 503 `STREAM_MISSING`. Log routes need the log stream as well. `/metrics` and
 * `/healthz` stay up, so operators can see the outage.
 */
@Injectable()
export class StreamHealthGuard implements CanActivate {
  constructor(@Inject(StreamHealth) private readonly streams: StreamHealth) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const url = context.switchToHttp().getRequest<FastifyRequest>().url;
    if (!/^\/v[12]\//.test(url)) return true;
    await this.streams.assertPresent('events');
    if (/\/logs(\/|\?|$)/.test(url)) await this.streams.assertPresent('logs');
    return true;
  }
}
