import { TrainyardError, type ErrorBody, type ErrorCode, type FieldError } from '@trainyard/contracts';

/**
 * Metadata every command carries. Clocks are inputs (STYLE 3): the shell stamps `now` once, and every
 * event the command produces carries it as `time`.
 */
export interface CommandMetadata {
  /** ISO-8601 instant the command is decided at. */
  now: string;
}

/**
 * A command: an imperative name, its data, and metadata.
 *
 * @example
 * ```ts
 * const stop: Command<'StopJob', { by: string }> = {
 *   type: 'StopJob',
 *   data: { by: 'user:ada' },
 *   metadata: { now: '2026-03-13T10:00:00Z' },
 * };
 * ```
 */
export interface Command<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  metadata: CommandMetadata;
}

/**
 * Why a command was refused: an expected outcome, so a value (STYLE 7), not an exception.
 * `code` is the stable `ErrorCode` the bus replies with; `reason` is the aggregate's named reason
 * (`JobRejection.NotStoppable`, …) for logs, metrics and tests; `details` lists offending fields.
 *
 * @example
 * ```ts
 * { code: 'ILLEGAL_STATE', reason: 'NotStoppable', message: 'job j1 is completed; stop needs creating, waiting or running' }
 * ```
 */
export interface Rejection<Reason extends string = string> {
  code: ErrorCode;
  reason: Reason;
  message: string;
  details?: FieldError[];
}

/**
 * What `decide` returns: the events to append (possibly none: the command was already applied, or is
 * stale), or a rejection.
 *
 * @example
 * ```ts
 * const d = trainingJobDecider.decide(stopJob, state);
 * if (!d.ok) return reply(d.rejection.code, d.rejection.message);
 * await log.append(subject, d.events, meta, lastSeq);
 * ```
 */
export type Decision<Event, Reason extends string = string> =
  | { ok: true; events: Event[] }
  | { ok: false; rejection: Rejection<Reason> };

/**
 * One aggregate's behaviour as three pure functions (emmett's Decider, with rejections as values).
 * State is rebuilt by folding `evolve` over the aggregate's history from `initialState()`; `decide`
 * never sees anything but that state and the command.
 *
 * @example
 * ```ts
 * const state = history.reduce(trainingJobDecider.evolve, trainingJobDecider.initialState());
 * const decision = trainingJobDecider.decide(command, state);
 * ```
 */
export interface Decider<Cmd, Event, State, Reason extends string = string> {
  decide(command: Cmd, state: State): Decision<Event, Reason>;
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** An accepted decision with these events (none = nothing to do, the command is idempotent here). */
export const accept = <Event>(...events: Event[]): Decision<Event, never> => ({ ok: true, events });

/** A rejected decision. */
export function reject<Reason extends string>(
  code: ErrorCode,
  reason: Reason,
  message: string,
  details?: FieldError[],
): Decision<never, Reason> {
  return { ok: false, rejection: { code, reason, message, ...(details?.length ? { details } : {}) } };
}

/** A rejection as the bus's error body (`{ code, message, details }`): what a command reply carries. */
export function rejectionBody(rejection: Rejection): ErrorBody {
  return { code: rejection.code, message: rejection.message, ...(rejection.details?.length ? { details: rejection.details } : {}) };
}

/** Folds events into state: `evolve` is a left fold, so replay and live state agree by construction. */
export function fold<Event, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
  events: readonly Event[],
  from: State = decider.initialState(),
): State {
  return events.reduce((s, e) => decider.evolve(s, e), from);
}

/**
 * The exception form of a rejection, for shells that expect `decide` to return events or throw
 * (`handleCommand` in libs/event-log). It is a `TrainyardError`, so the one exception filter maps it
 * to `{ code, message, details }` without knowing the aggregate; `reason` is kept for logs.
 * It is never retryable: deciding again on the same state gives the same answer.
 */
export class CommandRejectedError extends TrainyardError {
  readonly retryable = false;

  constructor(readonly rejection: Rejection) {
    super(rejection.code, rejection.message, rejection.details);
    this.name = 'CommandRejectedError';
  }

  get reason(): string {
    return this.rejection.reason;
  }
}

/**
 * Adapts a decider to the throwing convention of the command handler: events on success, a
 * `CommandRejectedError` (a `TrainyardError` with the rejection's `ErrorCode`) otherwise.
 *
 * @example
 * ```ts
 * // libs/event-log handleCommand(log, subject, decideOrThrow(trainingJobDecider), command)
 * const decide = decideOrThrow(trainingJobDecider);
 * try { const events = decide(command, state); } catch (e) { if (e instanceof TrainyardError) reply(e.toBody()); }
 * ```
 */
export function decideOrThrow<Cmd, Event, State>(
  decider: Pick<Decider<Cmd, Event, State>, 'decide'>,
): (command: Cmd, state: State) => Event[] {
  return (command, state) => {
    const decision = decider.decide(command, state);
    if (!decision.ok) throw new CommandRejectedError(decision.rejection);
    return decision.events;
  };
}
