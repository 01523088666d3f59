import { Logger } from '@nestjs/common';
import { type CommitMeta, type IdentityEvent, IDENTITY_EVENT_TYPES, Subjects, TrainyardError } from '@trainyard/contracts';
import { decideIdentity, evolveIdentity, initialIdentity, type IdentityCommand, type IdentityState } from '@trainyard/domain';
import { type EventLog, StreamVersionConflict, type Subscription } from '@trainyard/event-log';
import { PositionWaiters } from '@trainyard/replica';
import { randomUUID } from 'node:crypto';

/**
 * The API's view of who may do what: the `ty.ev.iam.` aggregates folded in memory (they are few and
 * read on every request), kept live by a subscription. Identity commands are decided here against
 * that view and appended with the aggregate's last sequence, so two API replicas racing on one
 * aggregate cannot both win; the loser re-decides on the fresher view.
 */
export class IdentityDirectory {
  private readonly log = new Logger('identity');
  private state: IdentityState = initialIdentity();
  private readonly lastSeqOf = new Map<string, number>();
  private position = 0;
  private readonly waiters = new PositionWaiters(() => this.position);
  private sub?: Subscription;

  constructor(private readonly eventLog: EventLog) {}

  /** Folds the history, then keeps folding; resolves once the history is in. */
  async start(): Promise<void> {
    this.sub = this.eventLog.subscribe({ filter: Subjects.iamAll, onError: (err, c) => this.log.error(`identity commit ${c.seq} on ${c.subject}: ${(err as Error).message}`) }, (commit) => {
      for (const e of commit.events) {
        if ((IDENTITY_EVENT_TYPES as readonly string[]).includes(e.type)) evolveIdentity(this.state, commit.subject, e as IdentityEvent);
      }
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

  /** The folded state: read it, never change it. */
  get view(): IdentityState {
    return this.state;
  }

  /**
   * Decides `command` on `subject` and appends what it yields, retrying on a concurrent writer;
   * resolves once this view includes the commit. Rejections throw as `TrainyardError`.
   */
  async execute(subject: string, command: IdentityCommand, actor: string, meta: Partial<CommitMeta> = {}): Promise<{ seq: number; events: IdentityEvent[] }> {
    const commandId = meta.commandId ?? randomUUID();
    for (let attempt = 0; ; attempt++) {
      const decision = decideIdentity(command, this.state);
      if (!decision.ok) throw new TrainyardError(decision.rejection.code, decision.rejection.message, decision.rejection.details);
      if (!decision.events.length) return { seq: this.position, events: [] };
      try {
        const { seq } = await this.eventLog.append(subject, decision.events, { correlationId: commandId, ...meta, commandId, actor }, this.lastSeqOf.get(subject) ?? 0);
        await this.waitFor(seq);
        return { seq, events: decision.events };
      } catch (err) {
        if (!(err instanceof StreamVersionConflict) || attempt >= 4) throw err;
        // Someone else wrote the aggregate: wait until we see it, then decide again.
        await this.waitFor(err.actual ?? this.position + 1);
      }
    }
  }

  waitFor(seq: number): Promise<boolean> {
    return this.waiters.wait(seq);
  }
}
