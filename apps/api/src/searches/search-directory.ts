import { Logger } from '@nestjs/common';
import { type CommitMeta, SEARCH_EVENT_TYPES, Subjects, TrainyardError } from '@trainyard/contracts';
import { decideSearch, evolveSearch, initialSearch, type Search, type SearchCommand, type SearchEvent, type SearchState } from '@trainyard/domain';
import { type EventLog, StreamVersionConflict, type Subscription as LogSubscription } from '@trainyard/event-log';
import { PositionWaiters } from '@trainyard/replica';
import { randomUUID } from 'node:crypto';

/**
 * The API's view of the hyperparameter searches (issue 15): the `ty.ev.search.` aggregates folded in
 * memory with the same fold the tuner uses, kept live by a subscription (the shape of the
 * subscription directory). The API decides a search's creation and stop; an answer waits until this
 * view holds its own commit, so a `show` right after `create` finds it.
 */
export class SearchDirectory {
  private readonly log = new Logger('searches');
  private readonly states = new Map<string, Search>();
  private readonly lastSeqOf = new Map<string, number>();
  private position = 0;
  private readonly waiters = new PositionWaiters(() => this.position);
  private sub?: LogSubscription;

  constructor(private readonly eventLog: EventLog) {}

  async start(): Promise<void> {
    this.sub = this.eventLog.subscribe({ filter: Subjects.searchAll, onError: (err, c) => this.log.error(`search commit ${c.seq} on ${c.subject}: ${(err as Error).message}`) }, (commit) => {
      const id = commit.subject.slice('ty.ev.search.'.length);
      let state: SearchState = this.states.get(id) ?? initialSearch();
      for (const e of commit.events) if ((SEARCH_EVENT_TYPES as readonly string[]).includes(e.type)) state = evolveSearch(state, e as SearchEvent);
      if (state.status !== 'none') this.states.set(id, state);
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

  get(id: string): Search | undefined {
    return this.states.get(id);
  }

  /** Every search, newest first. */
  list(): Search[] {
    return [...this.states.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Decides and appends, retrying on a concurrent writer (the tuner); resolves once this view includes the commit. */
  async execute(id: string, command: SearchCommand, actor: string, meta: Partial<CommitMeta> = {}): Promise<{ seq: number }> {
    const subject = Subjects.search(id);
    const commandId = meta.commandId ?? randomUUID();
    for (let attempt = 0; ; attempt++) {
      const decision = decideSearch(command, this.states.get(id) ?? initialSearch());
      if (!decision.ok) throw new TrainyardError(decision.rejection.code, decision.rejection.message, decision.rejection.details);
      try {
        const { seq } = await this.eventLog.append(subject, decision.events, { correlationId: id, ...meta, commandId, actor }, this.lastSeqOf.get(subject) ?? 0);
        await this.waiters.wait(seq);
        return { seq };
      } catch (err) {
        if (!(err instanceof StreamVersionConflict) || attempt >= 9) throw err;
        await this.waiters.wait(err.actual ?? this.position + 1);
      }
    }
  }
}
