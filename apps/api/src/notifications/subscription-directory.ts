import { Logger } from '@nestjs/common';
import { type CommitMeta, NOTIFICATION_EVENT_TYPES, Subjects, TrainyardError } from '@trainyard/contracts';
import { decideSubscription, evolveSubscription, initialSubscription, type Subscription, type SubscriptionCommand, type SubscriptionEvent, type SubscriptionState } from '@trainyard/domain';
import { type EventLog, StreamVersionConflict, type Subscription as LogSubscription } from '@trainyard/event-log';
import { PositionWaiters } from '@trainyard/replica';
import { randomUUID } from 'node:crypto';

/**
 * The API's view of the webhook subscriptions (issue 15): the `ty.ev.notify.` aggregates folded in
 * memory (few, and read by every permission check on them), kept live by a subscription — the same
 * shape as the identity directory. Commands are decided here and appended with the aggregate's last
 * sequence; an answer waits until this view includes its own commit, so a list right after an add
 * shows it.
 */
export class SubscriptionDirectory {
  private readonly log = new Logger('notifications');
  private readonly states = new Map<string, SubscriptionState>();
  private readonly lastSeqOf = new Map<string, number>();
  private position = 0;
  private readonly waiters = new PositionWaiters(() => this.position);
  private sub?: LogSubscription;

  constructor(private readonly eventLog: EventLog) {}

  async start(): Promise<void> {
    this.sub = this.eventLog.subscribe({ filter: Subjects.notifyAll, onError: (err, c) => this.log.error(`subscription commit ${c.seq} on ${c.subject}: ${(err as Error).message}`) }, (commit) => {
      const id = commit.subject.slice('ty.ev.notify.'.length);
      let state = this.states.get(id) ?? initialSubscription();
      for (const e of commit.events) {
        if ((NOTIFICATION_EVENT_TYPES as readonly string[]).includes(e.type)) state = evolveSubscription(state, e as SubscriptionEvent, commit.seq);
      }
      this.states.set(id, state);
      this.lastSeqOf.set(commit.subject, commit.seq);
      this.position = commit.seq;
      this.waiters.release();
    });
    await this.sub.caughtUp;
  }

  async stop(): Promise<void> {
    this.waiters.close();
    await this.sub?.stop();
  }

  /** A subscription that is active now, or undefined. */
  get(id: string): Subscription | undefined {
    const s = this.states.get(id);
    return s?.status === 'active' ? s : undefined;
  }

  /** Every active subscription, oldest first. */
  list(): Subscription[] {
    return [...this.states.values()].filter((s): s is Subscription & { status: 'active' } => s.status === 'active').sort((a, b) => a.fromSeq - b.fromSeq);
  }

  /** Decides and appends, retrying on a concurrent writer; resolves once this view includes the commit. */
  async execute(id: string, command: SubscriptionCommand, actor: string, meta: Partial<CommitMeta> = {}): Promise<{ seq: number }> {
    const subject = Subjects.notifySubscription(id);
    const commandId = meta.commandId ?? randomUUID();
    for (let attempt = 0; ; attempt++) {
      const decision = decideSubscription(command, this.states.get(id) ?? initialSubscription());
      if (!decision.ok) throw new TrainyardError(decision.rejection.code, decision.rejection.message, decision.rejection.details);
      try {
        const { seq } = await this.eventLog.append(subject, decision.events, { correlationId: commandId, ...meta, commandId, actor }, this.lastSeqOf.get(subject) ?? 0);
        await this.waiters.wait(seq);
        return { seq };
      } catch (err) {
        if (!(err instanceof StreamVersionConflict) || attempt >= 4) throw err;
        await this.waiters.wait(err.actual ?? this.position + 1);
      }
    }
  }
}
