import type { CommitMeta, DomainEvent, StoredCommit } from '@trainyard/contracts';
import type { Decision, Rejection } from '@trainyard/domain';
import { StreamVersionConflict } from './errors';
import type { EventLog } from './event-log';
import { backoffMs } from './internal-util';

/**
 * One command against one aggregate, as the decider pattern has it (emmett's `handleCommand`):
 * read the history, fold it into state, decide, append with the version decided on.
 *
 * @example
 * ```ts
 * const r = await handleCommand({
 *   log, subject: Subjects.job(cmd.jobId), meta,
 *   initialState, evolve,
 *   decide: (state) => trainingJobDecider.decide(cmd, state), // the decider's Decision
 * });
 * if (!r.ok) return reply(r.rejection.code, r.rejection.message); // a refusal is a value
 * ```
 */
export interface HandleCommandOptions<S, E extends DomainEvent = DomainEvent, R extends string = string> {
  log: EventLog;
  /** The aggregate's subject, e.g. `Subjects.job(jobId)`. */
  subject: string;
  initialState: S;
  evolve: (state: S, event: E) => S;
  /**
   * The business decision on the current state, as the decider gives it: accepted with the events to
   * append (none = nothing to do), or rejected — returned as a value, nothing appended. Called again
   * after a version conflict, on fresh state, so it must be pure. A throw is rethrown untouched.
   */
  decide: (state: S) => Decision<E, R> | Promise<Decision<E, R>>;
  meta: CommitMeta;
  /** Reads + decisions before giving up on conflicts. Default 5. */
  maxAttempts?: number;
}

/** The command's outcome: committed (or nothing to do, or a duplicate), or the decider's rejection. */
export type HandleCommandResult<S, E extends DomainEvent = DomainEvent, R extends string = string> = HandleCommandAccepted<S, E> | HandleCommandRejected<S, R>;

export interface HandleCommandRejected<S, R extends string = string> {
  ok: false;
  rejection: Rejection<R>;
  /** The aggregate's version the rejection was decided on (0 if it does not exist). */
  seq: number;
  /** The state the rejection was decided on. */
  state: S;
}

export interface HandleCommandAccepted<S, E extends DomainEvent = DomainEvent> {
  ok: true;
  /**
   * Stream sequence of the commit; when nothing was appended, the aggregate's version the decision
   * was made on (0 if the aggregate does not exist), so a caller can still wait for projections.
   */
  seq: number;
  /** The events committed (empty when `decide` returned none). */
  events: E[];
  /** State after the commit. */
  state: S;
  /** True when this command (same `commandId`) had already been committed: nothing new was stored. */
  duplicate: boolean;
}

/**
 * Runs a command with optimistic concurrency: on {@link StreamVersionConflict} (another writer got
 * in between) it re-reads, re-decides and retries, with a short jittered backoff, up to
 * `maxAttempts`; then the conflict is thrown (code `CONFLICT`). Every other error propagates
 * untouched on the first occurrence.
 *
 * Idempotency: if the aggregate's history already holds a commit with this `commandId`, that commit
 * is the answer (`duplicate: true`) and `decide` is not consulted — even long after JetStream's
 * 2-minute duplicate window, and even when deciding again would now fail.
 */
export function handleCommand<S, E extends DomainEvent = DomainEvent, R extends string = string>(
  opts: HandleCommandOptions<S, E, R>,
): Promise<HandleCommandResult<S, E, R>> {
  return oneAtATime(opts.log, opts.subject, () => readDecideAppend(opts));
}

/**
 * Commands of one process against one aggregate run one after the other (a promise chain per log
 * and subject). They would be correct concurrently too (the expected sequence refuses the loser, who
 * retries), but only where the server enforces that sequence: nats-server before 2.9.21 in a
 * cluster can accept both appends (nats-server#4320), and then a decision made on stale state is
 * kept — two TaskExited of one job, each decided while the other task still ran, and no
 * JobSucceeded. In-process order removes that race among a replica's own commands and the retries
 * it costs; writers in other processes are still fenced by the expected sequence alone.
 */
const chains = new WeakMap<EventLog, Map<string, Promise<unknown>>>();

function oneAtATime<T>(log: EventLog, subject: string, run: () => Promise<T>): Promise<T> {
  let bySubject = chains.get(log);
  if (!bySubject) chains.set(log, (bySubject = new Map()));
  const before = bySubject.get(subject) ?? Promise.resolve();
  const mine = before.then(run, run);
  const tail = mine.catch(() => undefined);
  bySubject.set(subject, tail);
  // The last in line removes the chain, so idle aggregates hold no memory.
  void tail.then(() => {
    if (bySubject.get(subject) === tail) bySubject.delete(subject);
  });
  return mine;
}

async function readDecideAppend<S, E extends DomainEvent = DomainEvent, R extends string = string>(
  opts: HandleCommandOptions<S, E, R>,
): Promise<HandleCommandResult<S, E, R>> {
  const { log, subject, meta, maxAttempts = 5 } = opts;
  for (let attempt = 1; ; attempt++) {
    const history = await log.read(subject);
    const fold = (upTo = Infinity) => foldHistory(history.commits, opts, upTo);

    const earlier = history.commits.find((c) => c.meta.commandId === meta.commandId);
    if (earlier) {
      return { ok: true, seq: earlier.seq, events: earlier.events as E[], state: fold(earlier.seq), duplicate: true };
    }

    const state = fold();
    const decision = await opts.decide(state);
    // A refusal is deterministic on this state: no retry, nothing appended, the caller gets the value.
    if (!decision.ok) return { ok: false, rejection: decision.rejection, seq: history.lastSeq, state };
    const { events } = decision;
    if (events.length === 0) return { ok: true, seq: history.lastSeq, events: [], state, duplicate: false };

    try {
      const { seq, duplicate } = await log.append(subject, events, meta, history.lastSeq);
      if (duplicate) {
        // The same command landed between our read and our append (a concurrent retry): answer with
        // what is stored, not with what we decided.
        // (Already in this subject's line: not `handleCommand`, which would queue behind itself.)
        return readDecideAppend({ ...opts, maxAttempts: Math.max(1, maxAttempts - attempt) });
      }
      return { ok: true, seq, events, state: events.reduce(opts.evolve, state), duplicate: false };
    } catch (err) {
      if (!(err instanceof StreamVersionConflict) || attempt >= maxAttempts) throw err;
      await new Promise((r) => setTimeout(r, backoffMs(attempt - 1, 5, 200)));
    }
  }
}

function foldHistory<S, E extends DomainEvent, R extends string>(
  commits: readonly StoredCommit[],
  opts: Pick<HandleCommandOptions<S, E, R>, 'initialState' | 'evolve'>,
  upToSeq: number,
): S {
  let state = opts.initialState;
  for (const c of commits) {
    if (c.seq > upToSeq) break;
    for (const e of c.events) state = opts.evolve(state, e as E);
  }
  return state;
}
