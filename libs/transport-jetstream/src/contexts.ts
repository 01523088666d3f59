import type { StoredCommit } from '@trainyard/contracts';
import type { ConsumeContext } from '@trainyard/event-log';
import { BaseRpcContext } from '@nestjs/microservices';

/**
 * What a `@MessagePattern` handler knows about the command in hand (`@Ctx() ctx: CommandContext`):
 * its subject, the verb (the subject's last token), the size of its body and its NATS headers.
 */
export class CommandContext extends BaseRpcContext<[subject: string, size: number, headers: { get(k: string): string } | undefined]> {
  get subject(): string {
    return this.args[0];
  }

  get verb(): string {
    return this.args[0].slice(this.args[0].lastIndexOf('.') + 1);
  }

  /** Bytes of the command body as it came off the wire. */
  get size(): number {
    return this.args[1];
  }

  header(name: string): string | undefined {
    return this.args[2]?.get(name) || undefined;
  }
}

/**
 * What an `@EventPattern` handler knows about the commit in hand (`@Ctx() ctx: CommitContext`). For a
 * durable consumer, `deliveryCount` counts redeliveries and `working()` postpones the next one; an
 * ordered subscription delivers each commit once per subscription (deliveryCount 1, working a no-op).
 */
export class CommitContext extends BaseRpcContext<[commit: StoredCommit, delivery: ConsumeContext | undefined]> {
  get commit(): StoredCommit {
    return this.args[0];
  }

  get deliveryCount(): number {
    return this.args[1]?.deliveryCount ?? 1;
  }

  working(): void {
    this.args[1]?.working();
  }
}
