// The shared test vocabulary of the conformance suite: what an implementation under test provides,
// and small helpers the cases use. Test support only: not exported from the library's index.
import { event, type CommitMeta, type DomainEvent } from '@trainyard/contracts';
import type { EventLog } from '@trainyard/event-log';

/** An implementation under test, fresh for each section of the suite. */
export interface EventLogHarness extends AsyncDisposable {
  log: EventLog;
  /** A second client of the same log: another NATS connection, or the same instance in memory. */
  other(name: string): Promise<EventLog>;
}

export type StartHarness = () => Promise<EventLogHarness>;

let counter = 0;

/** Commit metadata with a fresh (or the given) command id. */
export function meta(commandId = `cmd-${process.pid}-${++counter}`): CommitMeta {
  return { commandId, correlationId: commandId, actor: 'test' };
}

/** A small valid event; `n` makes it recognisable when read back. */
export function queued(n: number): DomainEvent {
  return event('JobQueued', new Date(Date.UTC(2026, 0, 1, 0, 0, n % 60)).toISOString(), { priority: n });
}

/** The `priority` of every `JobQueued` in the commits, in order: a compact view for assertions. */
export function priorities(commits: { events: DomainEvent[] }[]): number[] {
  return commits.flatMap((c) => c.events.map((e) => (e.type === 'JobQueued' ? e.data.priority : -1)));
}

/** Resolves when `check()` holds, polling; the test's own timeout bounds the wait. */
export async function eventually(check: () => boolean, everyMs = 10): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, everyMs));
}
