import type { Msg, NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { type CommandReply, type ErrorBody, ErrorCode, type StoredCommit, TrainyardError } from '@trainyard/contracts';
import type { ConsumeContext, EventLog, Subscription } from '@trainyard/event-log';
import { lastValueFrom } from 'rxjs';
import { toRpcException } from './command-reply.filter';
import type { ConsumerBinding } from './consumer-binding';
import { CommandContext, CommitContext } from './contexts';
import { ALWAYS_OPEN, type IntakeGate } from './intake-gate';

export interface JetStreamServerOptions {
  nc: NatsConnection;
  /** The event log the `@EventPattern` consumers read (needed only when some are bound). */
  log?: EventLog;
  /** Command intake: the server is in the commands' queue group only while the gate is open. */
  gate?: IntakeGate;
  /** Where each `@EventPattern('<name>')` gets its commits (see {@link ConsumerBinding}). */
  consumers?: Record<string, ConsumerBinding>;
}

/** One queue group of commands: `ty.cmd.<service>.*`, queue `<service>`. */
interface CommandGroup {
  subject: string;
  queue: string;
  sub?: NatsSubscription;
}

/**
 * The Nest transport of Trainyard's services (docs/architecture.md "Transport"):
 *
 * - `@MessagePattern('ty.cmd.<service>.<verb>')` answers NATS request/reply commands. All verbs of a
 *   service share one queue-group subscription `ty.cmd.<service>.*` (queue `<service>`), held only
 *   while the {@link IntakeGate} (the leader lease) is open: a standby is offered no commands at all.
 *   A handler returns `{ data, seq }`, sent as `{ ok: true, data, seq }`; what it throws becomes
 *   `{ ok: false, error: { code, message, details } }` (CommandReplyFilter, or here if none is set).
 * - `@EventPattern('<name>')` receives commits from the consumer bound to that name: a durable one
 *   (acked only after the handler resolved, `working()` while it runs, redelivered after a throw or a
 *   crash) or an ordered subscription. Both are libs/event-log's; this only dispatches to Nest.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private readonly groups = new Map<string, CommandGroup>();
  private readonly consumers: Subscription[] = [];
  private readonly caught = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private gate: IntakeGate;
  private unwatch?: () => void;
  private closed = false;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.gate = options.gate ?? ALWAYS_OPEN;
  }

  /** Sets the intake gate when it is one of the application's own providers (before `listen`). */
  useGate(gate: IntakeGate): void {
    this.gate = gate;
  }

  listen(callback: (err?: unknown) => void): void {
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        if (handler.isEventHandler) this.bind(pattern, handler);
        else this.group(pattern);
      }
      this.unwatch = this.gate.onChange(() => this.syncIntake());
      this.syncIntake();
      // Listening means subscribed: the round trip makes the server hold the queue groups before
      // `listen` resolves, so a command sent right after finds a responder.
      this.options.nc.flush().then(() => callback(), callback);
    } catch (err) {
      callback(err);
    }
  }

  /** Resolves once the consumer bound to `pattern` has delivered what existed when it started. */
  caughtUp(pattern: string): Promise<void> {
    return this.caught.get(pattern) ?? Promise.reject(new Error(`no consumer is bound to @EventPattern('${pattern}')`));
  }

  /** Leaves the queue groups, answers the commands in hand, and stops the consumers (each after its commit in hand). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unwatch?.();
    this.syncIntake();
    await Promise.allSettled([...this.inFlight]);
    await Promise.all(this.consumers.splice(0).map((s) => s.stop()));
  }

  on(): never {
    throw new Error('JetStreamServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.options.nc as T;
  }

  // ------------------------------------------------------------------ commands

  private group(pattern: string): void {
    const tokens = pattern.split('.');
    if (tokens.length < 3 || tokens.some((t) => t === '' || t === '*' || t === '>')) {
      throw new Error(`@MessagePattern('${pattern}') must be a literal subject <prefix>.<service>.<verb>`);
    }
    const subject = [...tokens.slice(0, -1), '*'].join('.');
    if (!this.groups.has(subject)) this.groups.set(subject, { subject, queue: tokens[tokens.length - 2] });
  }

  /** In the queue groups exactly while the gate is open and the server is not closed. */
  private syncIntake(): void {
    const open = !this.closed && this.gate.isOpen();
    for (const g of this.groups.values()) {
      if (open && !g.sub) {
        g.sub = this.options.nc.subscribe(g.subject, { queue: g.queue, callback: (err, msg) => void (err || this.track(this.onCommand(g, msg))) });
      } else if (!open && g.sub) {
        g.sub.unsubscribe();
        g.sub = undefined;
      }
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async onCommand(g: CommandGroup, msg: Msg): Promise<void> {
    const reply = await this.answer(g, msg);
    try {
      msg.respond(JSON.stringify(reply));
    } catch (err) {
      this.logger.error(`${msg.subject}: reply not sent: ${(err as Error).message}`);
    }
  }

  private async answer(g: CommandGroup, msg: Msg): Promise<CommandReply> {
    const ctx = new CommandContext([msg.subject, msg.data.length, msg.headers]);
    try {
      // A command that was on its way when the lease was lost: refuse it, the client retries elsewhere.
      if (!this.gate.isOpen() || this.closed) throw new TrainyardError(ErrorCode.Unavailable, `this ${g.queue} replica is not the leader; retry`);
      const handler = this.messageHandlers.get(msg.subject);
      if (!handler || handler.isEventHandler) throw new TrainyardError(ErrorCode.ValidationFailed, `unknown ${g.queue} command ${ctx.verb}`);
      let raw: unknown;
      try {
        raw = msg.json();
      } catch {
        throw new TrainyardError(ErrorCode.ValidationFailed, 'the command is not valid JSON');
      }
      const out = await lastValueFrom(this.transformToObservable(await handler(raw, ctx)), { defaultValue: undefined });
      return toReply(out);
    } catch (err) {
      return { ok: false, error: toRpcException(err).getError() as ErrorBody };
    }
  }

  // ------------------------------------------------------------------ commits

  private bind(pattern: string, handler: MessageHandler): void {
    const b = this.options.consumers?.[pattern];
    if (!b) throw new Error(`@EventPattern('${pattern}') has no consumer: give JetStreamServer consumers['${pattern}']`);
    const deliver = async (commit: StoredCommit, delivery?: ConsumeContext) => {
      const ctx = new CommitContext([commit, delivery]);
      // Every handler of the pattern, in turn; the first throw leaves the commit unacked.
      for (let h: MessageHandler | undefined = handler; h; h = h.next) {
        await lastValueFrom(this.transformToObservable(await h(commit, ctx)), { defaultValue: undefined });
      }
    };
    const { log } = this.options;
    if (!log) throw new Error(`@EventPattern('${pattern}') needs JetStreamServer's log`);
    const sub = b.kind === 'durable' ? log.consume(b.durable, b.filter, deliver, b) : log.subscribe(b, (c) => deliver(c));
    this.consumers.push(sub);
    this.caught.set(pattern, sub.caughtUp);
  }
}

/** A handler's `{ data, seq }` as the success envelope; an envelope (from the filter) as it is. */
function toReply(out: unknown): CommandReply {
  if (out && typeof out === 'object' && typeof (out as { ok?: unknown }).ok === 'boolean') return out as CommandReply;
  const { data, seq } = (out ?? {}) as { data?: unknown; seq?: number };
  return { ok: true, data: data ?? null, seq: seq ?? 0 };
}
