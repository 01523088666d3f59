import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { atParam } from '../history/history.controller';
import { ErrorCode, SUBJECT_TOKEN, TrainyardError } from '@trainyard/contracts';
import { randomUUID } from 'node:crypto';
import { API_OPTIONS, COMMANDS, READS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import type { CommandClient } from '../command-client';
import type { ReadModel } from '../read-model';
import { HeartbeatTracker } from '@trainyard/liveness';
import { ParamCheck } from '../system/query-params';
import { Auth, callerIn, commandPrincipal, type RequestAuth } from '../auth/request-auth';

/** The fault manager's operator verbs (`ty.cmd.fault-manager.<verb>`). */
const NODE_VERBS = ['cordon', 'drain', 'uncordon'] as const;
/** An operator's reason is a sentence, recorded with the node's events. */
const NODE_REASON_MAX_CHARS = 500;

@Controller('v1/nodes')
export class NodesController {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    @Inject(COMMANDS) private readonly commands: CommandClient,
    private readonly heartbeats: HeartbeatTracker,
  ) {}

  @Get()
  async list(@Query() q: Record<string, string>) {
    // `?at=`: the nodes as they were then (issue 17); liveness is not in the log, so availability only.
    const at = atParam(q);
    if (at) {
      const h = this.reads.history();
      return h.nodesAt(await h.resolve(at));
    }
    const nodes = await this.reads.listNodes();
    return { items: nodes.map((n) => ({ ...n, ...this.heartbeats.status(n.id, this.options.heartbeatTimeoutMs) })) };
  }

  /**
   * `POST /v1/nodes/{id}/cordon|drain|uncordon` with `{ reason?, graceMs? }`: take the node out of
   * service (running tasks stay), drain it (its tasks are stopped and recovered elsewhere), or put it
   * back. Answered by the fault manager; replies with the node once the read model shows the change.
   */
  @Post(':id/:verb')
  @HttpCode(200)
  async operate(@Auth() auth: RequestAuth, @Param('id') id: string, @Param('verb') verb: string, @Body() body: unknown) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a node id');
    const v = check.oneOf('verb', verb, NODE_VERBS);
    const b = (body ?? {}) as { reason?: unknown; graceMs?: unknown };
    const graceMs = b.graceMs === undefined ? undefined : check.int('graceMs', String(b.graceMs), { min: 0, max: 24 * 3_600_000 });
    const reason = check.text('reason', b.reason, { maxChars: NODE_REASON_MAX_CHARS });
    check.done();
    const { seq } = await this.commands.send('fault-manager', v!, {
      commandId: randomUUID(), nodeId: id, caller: callerIn(auth), ...(reason ? { reason } : {}), ...(graceMs !== undefined ? { graceMs } : {}),
    }, commandPrincipal(auth));
    await this.reads.waitFor(seq, this.options.readYourWritesTimeoutMs);
    const node = (await this.reads.listNodes()).find((n) => n.id === id);
    if (!node) throw new TrainyardError(ErrorCode.NotFound, `no node ${id}`);
    return { ...node, ...this.heartbeats.status(id, this.options.heartbeatTimeoutMs) };
  }
}
