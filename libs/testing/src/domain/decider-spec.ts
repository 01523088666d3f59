import type { ErrorCode } from '@trainyard/contracts';
import { fold, type Decider, type Decision, type Rejection } from '@trainyard/domain';

/**
 * What a `then` may expect of a rejection: its stable code, optionally its named reason.
 * Messages are never compared (they are for humans).
 */
export type ExpectedRejection = ErrorCode | { code: ErrorCode; reason?: string };

/**
 * Given/when/then for deciders (STYLE 12), framework-free so any test runner (or a REPL) can use it.
 * A failed expectation throws an `Error` carrying `actual`/`expected`, which vitest renders as a diff.
 *
 * @example
 * ```ts
 * DeciderSpec.for(trainingJobDecider)
 *   .given([created, queued])
 *   .when(stopJob)
 *   .then([event('JobStopRequested', now, { by: 'user:ada', reason: 'user' }), event('JobTerminated', now, { reason: 'user' })]);
 *
 * DeciderSpec.for(trainingJobDecider).given([]).when(stopJob).then('NOT_FOUND');
 * ```
 */
export const DeciderSpec = {
  for<Cmd, Event, State>(decider: Decider<Cmd, Event, State>): DeciderGiven<Cmd, Event, State> {
    return {
      given: (events: readonly Event[]) => ({
        when: (command: Cmd) => new DeciderThen(decider, events, command),
      }),
    };
  },
};

export interface DeciderGiven<Cmd, Event, State> {
  given(events: readonly Event[]): { when(command: Cmd): DeciderThen<Cmd, Event, State> };
}

export class DeciderThen<Cmd, Event, State> {
  constructor(
    private readonly decider: Decider<Cmd, Event, State>,
    private readonly history: readonly Event[],
    private readonly command: Cmd,
  ) {}

  /** The raw decision, for assertions the helpers below do not cover. */
  decision(): Decision<Event> {
    return this.decider.decide(this.command, fold(this.decider, this.history));
  }

  /**
   * Expects exactly these events (deep equality, in order), or a rejection with this code (and
   * reason, when given). Returns the state after the new events, for follow-up assertions.
   */
  then(expected: readonly Event[] | ExpectedRejection): State {
    const before = fold(this.decider, this.history);
    const decision = this.decider.decide(this.command, before);
    if (Array.isArray(expected)) {
      if (!decision.ok) fail('expected events, got a rejection', expected, decision.rejection);
      else if (!deepEqual(decision.events, expected)) fail('decided events differ', expected, decision.events);
      return fold(this.decider, (decision as { events: Event[] }).events, before);
    }
    const want = typeof expected === 'string' ? { code: expected } : (expected as { code: ErrorCode; reason?: string });
    if (decision.ok) fail(`expected rejection ${want.code}, got events`, want, decision.events);
    const got = (decision as { rejection: Rejection }).rejection;
    const gotComparable = want.reason === undefined ? { code: got.code } : { code: got.code, reason: got.reason };
    if (!deepEqual(gotComparable, want)) fail('rejection differs', want, gotComparable);
    return before;
  }

  /** Expects no events: the command is accepted and already applied (idempotent) or stale. */
  thenNothing(): State {
    return this.then([]);
  }

  /** Expects success and returns the events, for assertions on part of them. */
  thenEvents(): Event[] {
    const decision = this.decision();
    if (!decision.ok) fail('expected events, got a rejection', 'events', decision.rejection);
    return (decision as { events: Event[] }).events;
  }
}

function fail(message: string, expected: unknown, actual: unknown): never {
  const err = new Error(`${message}\nexpected: ${JSON.stringify(expected)}\nactual:   ${JSON.stringify(actual)}`) as Error & {
    expected: unknown;
    actual: unknown;
    showDiff: boolean;
  };
  err.expected = expected;
  err.actual = actual;
  err.showDiff = true;
  throw err;
}

/** Structural equality over JSON-like values; `undefined` properties count as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = (r: Record<string, unknown>) => Object.keys(r).filter((k) => r[k] !== undefined);
  const ka = keys(ra);
  return ka.length === keys(rb).length && ka.every((k) => deepEqual(ra[k], rb[k]));
}
