import { Controller, Get, Inject } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DeadLetterRecord } from '@trainyard/quarantine';
import type { ApiOptions } from '../api-options';
import { API_OPTIONS, READS } from '../api.tokens';
import { QUARANTINES, type Quarantines } from '../admin/quarantines';
import type { ReadModel } from '../read-model';
import { NATS } from './system.tokens';

/**
 * `GET /healthz`: `ok`, or `degraded` with the reasons — NATS closed, the database unreachable, the
 * projection failing for longer than `projectionStallMs`, or dead letters nobody resolved (their
 * count and the latest, named by stream, sequence and consumer). Always 200: a degraded API still
 * serves (what it serves may lack the quarantined messages), so a liveness probe must not kill it.
 */
@Controller()
export class HealthController {
  constructor(
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(QUARANTINES) private readonly quarantines: Quarantines,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
  ) {}

  @Get('healthz')
  async health() {
    const reasons: string[] = [];
    const closed = this.nc.isClosed();
    if (closed) reasons.push('NATS connection closed');
    const [read, quarantine] = await Promise.allSettled([this.reads.health(), this.quarantines.summary()]);
    const projection = read.status === 'fulfilled' ? read.value.projection : null;
    if (read.status === 'rejected') reasons.push(`read models unreachable: ${(read.reason as Error)?.message ?? read.reason}`);
    const failing = projection?.failing;
    if (failing && Date.now() - Date.parse(failing.since) >= this.options.projectionStallMs) {
      reasons.push(`projection failing since ${failing.since} at commits ${failing.from}..${failing.to}: ${failing.code} ${failing.message}`);
    }
    const q = quarantine.status === 'fulfilled' ? quarantine.value : null;
    if (quarantine.status === 'rejected') reasons.push(`dead letters unreadable: ${(quarantine.reason as Error)?.message ?? quarantine.reason}`);
    if (q?.count) reasons.push(`${q.count} message(s) quarantined; latest ${describe(q.latest!)}`);
    return {
      status: reasons.length ? 'degraded' : 'ok',
      nats: closed ? 'closed' : 'connected',
      reasons,
      projection,
      quarantine: q,
    };
  }
}

function describe(l: DeadLetterRecord): string {
  return `${l.id}: ${l.stream} seq ${l.seq} (${l.subject}) by ${l.consumer}, ${l.code} ${l.message}`;
}
