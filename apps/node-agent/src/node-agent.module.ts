import { Controller, type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { StoredCommit } from '@trainyard/contracts';
import type { NodeAgent } from './node-agent';

/** The `@EventPattern` of the node's own subject (`ty.ev.node.<id>`, durable consumer `agent-<id>`). */
export const NODE_COMMITS = 'node-commits';
const AGENT = Symbol('NodeAgent');

/** The node's commits: acked once the task lifecycle has handled them, redelivered if it threw. */
@Controller()
export class NodeCommitsController {
  constructor(@Inject(AGENT) private readonly agent: NodeAgent) {}

  @EventPattern<string>(NODE_COMMITS)
  onCommit(@Payload() commit: StoredCommit): Promise<void> {
    return this.agent.onCommit(commit);
  }
}

/**
 * Start before the node's commits flow, stop after they stopped: `onApplicationBootstrap` runs
 * before the transport listens; on a signal `onModuleDestroy` comes before it closes (no new work),
 * `onApplicationShutdown` after (the tasks stopped or left running, per `TY_ON_SHUTDOWN`).
 */
@Injectable()
class NodeAgentLifecycle implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  constructor(@Inject(AGENT) private readonly agent: NodeAgent) {}

  onApplicationBootstrap(): Promise<void> {
    return this.agent.start();
  }

  onModuleDestroy(): void {
    this.agent.shuttingDown();
  }

  onApplicationShutdown(): Promise<void> {
    return this.agent.stop();
  }
}

/** One node agent as a Nest module: its wiring (the parts, built from its config) and its commit handler. */
@Module({})
export class NodeAgentModule {
  static forRoot(agent: NodeAgent): DynamicModule {
    return { module: NodeAgentModule, controllers: [NodeCommitsController], providers: [{ provide: AGENT, useValue: agent }, NodeAgentLifecycle] };
  }
}
