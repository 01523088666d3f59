import { Controller, Get, Inject } from '@nestjs/common';
import { HeartbeatTracker } from '@trainyard/liveness';
import { API_OPTIONS, READS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import type { ReadModel } from '../read-model';

/** `/v1/pools`: per pool, its nodes (and how many are alive), capacity, used and free, supernodes. */
@Controller('v1/pools')
export class PoolsController {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    private readonly heartbeats: HeartbeatTracker,
  ) {}

  @Get()
  async list() {
    const pools = await this.reads.listPools();
    const ready = (id: string) => this.heartbeats.status(id, this.options.heartbeatTimeoutMs).status === 'ready';
    return { items: pools.map((p) => ({ ...p, readyNodes: p.nodes.filter(ready).length })) };
  }
}
