import type { NatsConnection } from '@nats-io/transport-node';
import { type CommitMeta, type DomainEvent, SEARCH_EVENT_TYPES, type StoredCommit, Subjects, type TrainingJobSpec, trialJobId } from '@trainyard/contracts';
import type { Database } from '@trainyard/db';
import { listLogAttempts, readLogLines } from '@trainyard/db';
import { better, evolveSearch, initialSearch, isOver, medianVerdict, metricMatches, type Search, type SearchEvent, searchIsOver, type Trial, trialSpec } from '@trainyard/domain';
import type { EventLog } from '@trainyard/event-log';
import type { ReplicaControl, ReplicaPolicy } from '@trainyard/replica';
import type { Kysely } from 'kysely';
import { type Proposer, proposerBroken, proposerFor, type TrialRecord } from './proposer';
import { finalRefusal, TrialCommands } from './trial-commands';
import { evolveTrialJob, type TrialJob } from './trial-jobs';
import { trialOutcome } from './trial-outcome';
import { DEFAULT_TUNER_OPTIONS, type TunerOptions } from './tuner-options';

const SEARCH_PREFIX = 'ty.ev.search.';
const JOB_PREFIX = 'ty.ev.job.';
const TASK = 'worker-0';
const LINES_PER_READ = 10_000;

/**
 * The search controller (issue 15): folds every search and its trials' jobs from the log, and as
 * leader drives each running search — submits trials through the scheduler, reads their metric from
 * the stored logs, stops poor ones early, records each end and the best trial, asks the optimiser for
 * the next values, and ends the search. Its state is the log alone: a restarted tuner folds it again,
 * tells a new optimiser every past trial, and sends only commands whose ids the log deduplicates.
 */
export class Tuner implements ReplicaPolicy {
  readonly options: TunerOptions;
  private readonly searches = new Map<string, Search>();
  private readonly lastSeq = new Map<string, number>();
  private readonly jobs = new Map<string, TrialJob>();
  private readonly proposers = new Map<string, Proposer>();
  /** Per trial job: the log attempt read and the last line read (in memory; after a restart, from the last report). */
  private readonly scanned = new Map<string, { attempt: number; after: number }>();
  /** Commands sent by this process: sent once each while it runs (the log dedupes a restart's resend). */
  private readonly sent = new Set<string>();
  private readonly commands: TrialCommands;
  private replica?: ReplicaControl;

  constructor(
    nc: NatsConnection,
    private readonly log: EventLog,
    private readonly db: Kysely<Database>,
    options: Partial<TunerOptions> = {},
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.options = { ...DEFAULT_TUNER_OPTIONS, ...options };
    this.commands = new TrialCommands(nc);
  }

  /** The searches as folded (tests and the service's log lines). */
  search(id: string): Search | undefined {
    return this.searches.get(id);
  }

  apply(commit: StoredCommit): void {
    if (commit.subject.startsWith(SEARCH_PREFIX)) {
      const id = commit.subject.slice(SEARCH_PREFIX.length);
      let s = this.searches.get(id) ?? initialSearch();
      for (const e of commit.events) if ((SEARCH_EVENT_TYPES as readonly string[]).includes(e.type)) s = evolveSearch(s, e as SearchEvent);
      this.lastSeq.set(commit.subject, commit.seq);
      if (s.status === 'none') return;
      this.searches.set(id, s);
      for (const t of s.trials) if (!this.jobs.has(t.jobId)) this.jobs.set(t.jobId, { searchId: id, trial: t.trial, created: false, attempt: 0 });
      return;
    }
    if (commit.subject.startsWith(JOB_PREFIX)) {
      const job = this.jobs.get(commit.subject.slice(JOB_PREFIX.length));
      if (!job) return;
      this.jobs.set(commit.subject.slice(JOB_PREFIX.length), commit.events.reduce(evolveTrialJob, job));
    }
  }

  async pass(replica: ReplicaControl): Promise<void> {
    this.replica = replica;
    for (const id of [...this.searches.keys()]) {
      const s = this.searches.get(id)!;
      if (searchIsOver(s)) {
        this.closeProposer(id);
        continue;
      }
      try {
        await this.drive(id, replica);
      } catch (err) {
        this.say(`search ${id}: ${(err as Error).message}`);
      }
    }
  }

  stop(): void {
    for (const id of [...this.proposers.keys()]) this.closeProposer(id);
  }

  /** One look at one search: each step reads the search again, as the previous one may have changed it. */
  private async drive(id: string, replica: ReplicaControl): Promise<void> {
    await this.submitRecorded(this.searches.get(id)!);
    await this.readReports(id, replica);
    await this.endFinished(id, replica);
    await this.stopEarly(id, replica);
    await this.stopForSearch(this.searches.get(id)!);
    await this.startTrials(id, replica);
    await this.endSearch(id, replica);
  }

  /** Trials recorded whose job the log does not show yet: submitted (again, after a restart: the same ids). */
  private async submitRecorded(s: Search): Promise<void> {
    for (const t of s.trials) {
      if (isOver(t) || this.jobs.get(t.jobId)?.created) continue;
      await this.submit(s, t);
    }
  }

  private async submit(s: Search, t: Pick<Trial, 'trial' | 'jobId' | 'values'>): Promise<void> {
    const key = `submit/${t.jobId}`;
    if (this.sent.has(key)) return;
    const spec = trialSpec(s.spec.job as TrainingJobSpec, s.spec.metadata, t.trial, t.values);
    try {
      await this.commands.submit(s.searchId, t.trial, t.jobId, spec, s.caller);
      this.sent.add(key);
    } catch (err) {
      if (!finalRefusal(err)) throw err;
      this.sent.add(key);
      // The scheduler will never take it (its spec or a permission): the trial fails, the search goes on.
      await this.append(s, [{ type: 'TrialEnded', version: 1, time: this.now(), data: { trial: t.trial, outcome: 'failed', reason: `not submitted: ${err.code} ${err.message}` } }], `search/${s.searchId}/trial/${t.trial}/end`);
    }
  }

  /** New metric matches in running trials' logs, as `TrialReported` (one commit per trial and read). */
  private async readReports(id: string, replica: ReplicaControl): Promise<void> {
    for (const t of this.searches.get(id)!.trials) {
      if (isOver(t) || !this.jobs.get(t.jobId)?.created) continue;
      await this.report(id, t.trial, replica);
    }
  }

  private async report(id: string, trial: number, replica: ReplicaControl): Promise<{ attempt: number; eof: boolean }> {
    // The trial as folded now: an earlier append of this pass may have added its reports.
    const s = this.searches.get(id)!;
    const t = s.trials.find((x) => x.trial === trial)!;
    const attempts = await listLogAttempts(this.db, t.jobId, TASK);
    const last = attempts[attempts.length - 1];
    if (!last) return { attempt: 0, eof: false };
    const attempt = last.attempt;
    const known = t.attempt === attempt ? t.reports : [];
    let at = this.scanned.get(t.jobId);
    if (!at || at.attempt !== attempt) at = { attempt, after: known[known.length - 1]?.line ?? 0 };
    const lines = await readLogLines(this.db, { jobId: t.jobId, task: TASK, attempt, afterSeq: at.after, limit: LINES_PER_READ });
    if (lines.length) {
      const matches = metricMatches(s.spec.search.metric.regex, lines.map((l) => ({ seq: l.seq, text: l.text })));
      if (matches.length) {
        const first = known.length + 1;
        const events: DomainEvent[] = matches.map((m, i) => ({ type: 'TrialReported', version: 1, time: this.now(), data: { trial: t.trial, attempt, step: first + i, value: m.value, line: m.line } }));
        await this.append(s, events, `search/${id}/trial/${t.trial}/report/${attempt}/${first}`, replica);
      }
      at = { attempt, after: lines[lines.length - 1].seq };
    }
    this.scanned.set(t.jobId, at);
    const eof = last.eofSeq !== null && at.after >= last.eofSeq && lines.length < LINES_PER_READ;
    return { attempt, eof };
  }

  /** Trials whose job ended: their last reports read (or waited for), then `TrialEnded` and perhaps `BestTrialChanged`. */
  private async endFinished(id: string, replica: ReplicaControl): Promise<void> {
    for (const before of this.searches.get(id)!.trials) {
      const job = this.jobs.get(before.jobId);
      if (isOver(before) || !job?.end) continue;
      const { eof } = await this.report(id, before.trial, replica);
      if (!eof && this.clock().getTime() - job.end.at < this.options.logWaitMs) continue;
      const s = this.searches.get(id)!;
      const t = s.trials.find((x) => x.trial === before.trial)!;
      const ended = trialOutcome(t, job.end.how, s.spec.search.metric.name);
      const events: DomainEvent[] = [{ type: 'TrialEnded', version: 1, time: this.now(), data: ended }];
      const direction = s.spec.search.metric.direction;
      if (ended.outcome === 'completed' && ended.value !== undefined && (!s.best || better(direction, ended.value, s.best.value))) {
        events.push({ type: 'BestTrialChanged', version: 1, time: this.now(), data: { trial: t.trial, value: ended.value, values: t.values } });
      }
      await this.append(s, events, `search/${id}/trial/${t.trial}/end`, replica);
      const after = this.searches.get(id)!.trials.find((x) => x.trial === t.trial)!;
      await this.tell(id, after);
    }
  }

  /** The median rule over running trials (while the search runs); a trial it stops is `TrialPruned`, its job stopped. */
  private async stopEarly(id: string, replica: ReplicaControl): Promise<void> {
    const s = this.searches.get(id)!;
    const rule = s.spec.search.earlyStopping;
    if (rule && s.status === 'running') {
      const completed = s.trials.filter((t) => t.status === 'completed');
      for (const t of s.trials) {
        if (t.status !== 'running' || this.jobs.get(t.jobId)?.end) continue;
        const verdict = medianVerdict(t, completed, rule, s.spec.search.metric.direction);
        if (!verdict) continue;
        await this.append(this.searches.get(id)!, [{ type: 'TrialPruned', version: 1, time: this.now(), data: { trial: t.trial, ...verdict } }], `search/${id}/trial/${t.trial}/prune`, replica);
      }
    }
    const now = this.searches.get(id)!;
    for (const t of now.trials) if (t.status === 'pruning' && !this.jobs.get(t.jobId)?.end) await this.stopTrial(now, t, 'prune');
  }

  /** A stopped search stops its running trials. */
  private async stopForSearch(s: Search): Promise<void> {
    if (s.status !== 'stopping') return;
    for (const t of s.trials) if (!isOver(t) && !this.jobs.get(t.jobId)?.end && this.jobs.get(t.jobId)?.created) await this.stopTrial(s, t, 'stop');
  }

  private async stopTrial(s: Search, t: Trial, why: 'prune' | 'stop'): Promise<void> {
    const key = `${why}/${t.jobId}`;
    if (this.sent.has(key)) return;
    try {
      await this.commands.stop(s.searchId, t.trial, t.jobId, s.caller, why);
    } catch (err) {
      // A job that ended meanwhile cannot be stopped: its end is folded next.
      if (!finalRefusal(err) && (err as { code?: string }).code !== 'ILLEGAL_STATE') throw err;
    }
    this.sent.add(key);
  }

  /** Up to `parallelTrials` running, `num_samples` in all: the optimiser's next values, recorded, then submitted. */
  private async startTrials(id: string, replica: ReplicaControl): Promise<void> {
    for (;;) {
      const s = this.searches.get(id)!;
      const p = s.spec.search;
      const active = s.trials.filter((t) => !isOver(t)).length;
      const next = s.trials.length + 1;
      if (s.status !== 'running' || active >= p.parallelTrials || next > p.algorithmParameters.num_samples || this.exhausted.has(id)) return;
      const proposer = await this.proposer(s);
      const values = await proposer.ask(next);
      if (!values) {
        this.exhausted.add(id);
        return;
      }
      const jobId = trialJobId(id, next);
      await this.append(s, [{ type: 'TrialStarted', version: 1, time: this.now(), data: { trial: next, jobId, values } }], `search/${id}/trial/${next}/start`, replica);
      const recorded = this.searches.get(id)!.trials.find((t) => t.trial === next);
      if (!recorded) return;
      await proposer.tell({ trial: next, values: recorded.values, state: 'running', intermediate: [] });
      await this.submit(this.searches.get(id)!, recorded);
    }
  }

  /** Every trial over, and none more to start (or the search stopped): `SearchEnded` with the best trial. */
  private async endSearch(id: string, replica: ReplicaControl): Promise<void> {
    const s = this.searches.get(id)!;
    if (s.trials.some((t) => !isOver(t))) return;
    const full = s.trials.length >= s.spec.search.algorithmParameters.num_samples || this.exhausted.has(id);
    if (s.status === 'running' && !full) return;
    const outcome = s.status === 'stopping' ? 'stopped' : 'completed';
    await this.append(s, [{ type: 'SearchEnded', version: 1, time: this.now(), data: { outcome, trials: s.trials.length, ...(s.best ? { best: s.best } : {}) } }], `search/${id}/end`, replica);
    this.closeProposer(id);
  }

  private readonly exhausted = new Set<string>();

  /** The search's optimiser, made (again) when missing or dead and told every trial the log holds. */
  private async proposer(s: Search): Promise<Proposer> {
    const have = this.proposers.get(s.searchId);
    if (have && !proposerBroken(have)) return have;
    if (have) this.say(`search ${s.searchId}: optimiser gone (${proposerBroken(have)}); starting another and telling it ${s.trials.length} trial(s)`);
    have?.close();
    const p = proposerFor(s.spec, s.seed, { python: this.options.python, script: this.options.script, timeoutMs: this.options.optimiserTimeoutMs });
    this.proposers.set(s.searchId, p);
    for (const t of s.trials) await p.tell(record(t));
    return p;
  }

  private async tell(id: string, t: Trial): Promise<void> {
    const p = this.proposers.get(id);
    if (p && !proposerBroken(p)) await p.tell(record(t));
  }

  private closeProposer(id: string): void {
    this.proposers.get(id)?.close();
    this.proposers.delete(id);
  }

  /** Appends to the search's aggregate after the last commit folded; the pass goes on once the fold has it. */
  private async append(s: Search, events: DomainEvent[], commandId: string, replica = this.replica): Promise<void> {
    const subject = Subjects.search(s.searchId);
    const meta: CommitMeta = { commandId, correlationId: s.searchId, actor: 'tuner' };
    const { seq } = await this.log.append(subject, events, meta, this.lastSeq.get(subject) ?? 0);
    await replica?.caughtUpTo(seq);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private say(msg: string): void {
    (this.options.log ?? ((m) => console.error(`[tuner] ${m}`)))(msg);
  }
}

/** A trial as the optimiser is told it. */
function record(t: Trial): TrialRecord {
  const intermediate = t.reports.map((r): [number, number] => [r.step, r.value]);
  switch (t.status) {
    case 'running':
    case 'pruning':
      return { trial: t.trial, values: t.values, state: 'running', intermediate };
    case 'completed':
      return { trial: t.trial, values: t.values, state: 'complete', ...(t.value !== undefined ? { value: t.value } : {}), intermediate };
    case 'pruned':
      return { trial: t.trial, values: t.values, state: 'pruned', intermediate };
    default:
      return { trial: t.trial, values: t.values, state: 'fail', intermediate };
  }
}
