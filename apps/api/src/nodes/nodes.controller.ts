import { Controller, Get, Inject } from '@nestjs/common';
import { API_OPTIONS, READS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import type { ReadModel } from '../read-model';
import { HeartbeatTracker } from '@trainyard/liveness';

@Controller('v1/nodes')
export class NodesController {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    private readonly heartbeats: HeartbeatTracker,
  ) {}

  @Get()
  async list() {
    const nodes = await this.reads.listNodes();
    return { items: nodes.map((n) => ({ ...n, ...this.heartbeats.status(n.id, this.options.heartbeatTimeoutMs) })) };
  }
}
