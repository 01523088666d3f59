import type { CommitMeta, DomainEvent, StoredCommit } from '@trainyard/contracts';
import { StreamVersionConflict } from './errors';
import type { EventLog } from './event-log';
import { backoffMs } from './internal-util';

/**
 * One command against one aggregate, as the decider pattern has it (emmett's `handleCommand`):
 * read the history, fold it into state, decide, append with the version decided on.
 *
 * @example
 * ```ts
 * const { seq, state } = await handleCommand({
 *   log, subject: Subjects.job(cmd.jobId), meta,
 *   initialState, evolve,
 *   decide: (state) => decideStopJob(cmd, state), // DomainEvent[], or throws TrainyardError
 * });
 * ```
 */
export interface HandleCommandOptions<S, E extends DomainEvent = DomainEvent> {
  log: EventLog;
  /** The aggregate's subject, e.g. `Subjects.job(jobId)`. */
  subject: string;
  initialState: S;
  evolve: (state: S, event: E) => S;
  /**
   * The business decision on the current state: the events to append (`[]` = nothing to do), or a
   * throw (e.g. a `TrainyardError`), which `handleCommand` rethrows untouched. Called again after a
   * version conflict, on fresh state, so it must be pure.
   */
  decide: (state: S) => E[] | Promise<E[]>;
  meta: CommitMeta;
  /** Reads + decisions before giving up on conflicts. Default 5. */
  maxAttempts?: number;
}

export interface HandleCommandResult<S, E extends DomainEvent = DomainEvent> {
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
export async function handleCommand<S, E extends DomainEvent = DomainEvent>(
  opts: HandleCommandOptions<S, E>,
): Promise<HandleCommandResult<S, E>> {
  const { log, subject, meta, maxAttempts = 5 } = opts;
  for (let attempt = 1; ; attempt++) {
    const history = await log.read(subject);
    const fold = (upTo = Infinity) => foldHistory(history.commits, opts, upTo);

    const earlier = history.commits.find((c) => c.meta.commandId === meta.commandId);
    if (earlier) {
      return { seq: earlier.seq, events: earlier.events as E[], state: fold(earlier.seq), duplicate: true };
    }

    const state = fold();
    const events = await opts.decide(state);
    if (events.length === 0) return { seq: history.lastSeq, events: [], state, duplicate: false };

    try {
      const { seq, duplicate } = await log.append(subject, events, meta, history.lastSeq);
      if (duplicate) {
        // The same command landed between our read and our append (a concurrent retry): answer with
        // what is stored, not with what we decided.
        return handleCommand({ ...opts, maxAttempts: Math.max(1, maxAttempts - attempt) });
      }
      return { seq, events, state: events.reduce(opts.evolve, state), duplicate: false };
    } catch (err) {
      if (!(err instanceof StreamVersionConflict) || attempt >= maxAttempts) throw err;
      await new Promise((r) => setTimeout(r, backoffMs(attempt - 1, 5, 200)));
    }
  }
}

function foldHistory<S, E extends DomainEvent>(
  commits: readonly StoredCommit[],
  opts: Pick<HandleCommandOptions<S, E>, 'initialState' | 'evolve'>,
  upToSeq: number,
): S {
  let state = opts.initialState;
  for (const c of commits) {
    if (c.seq > upToSeq) break;
    for (const e of c.events) state = opts.evolve(state, e as E);
  }
  return state;
}
