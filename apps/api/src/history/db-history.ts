import { createHash } from 'node:crypto';
import { Subjects, type StoredCommit } from '@trainyard/contracts';
import { indexedCommits, sequenceAt, snapshotAtOrBefore, snapshotBound, snapshotStates, writeSnapshot, type DatabaseHandle } from '@trainyard/db';
import type { EventLog } from '@trainyard/event-log';
import {
  checkPlacement, clusterGoodput, explainJob, exportLine, headerLine, HistoryFold, jobAt, jobGoodput, jobsAt, nodesAt,
  type Explanation, type JobAt, type JobGoodput, type MomentRef, type NodeAt, type PlacementCheck,
} from '@trainyard/history';
import { sql } from 'kysely';

/** Commits read from the index per query while folding the whole cluster. */
const FOLD_PAGE = 20_000;
/** A fold that has gone this many commits past the newest snapshot writes a new one. */
const SNAPSHOT_EVERY = 50_000;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The history reads of the API (issue 17) over the event index and the log: past moments folded
 * with the deciders (libs/history), explanations, goodput, export. A moment is a sequence (`123`)
 * or an ISO instant, cut at the last commit at or before it.
 */
export class DbHistory {
  constructor(
    private readonly handle: DatabaseHandle,
    private readonly eventLog: EventLog,
    /** The last sequence the read models hold: a moment past it is cut there. */
    private readonly position: () => number,
    /** Fold page and snapshot spacing, in commits (tests make them small). */
    private readonly opts: { foldPage: number; snapshotEvery: number } = { foldPage: FOLD_PAGE, snapshotEvery: SNAPSHOT_EVERY },
  ) {}

  /** The sequence a moment stands for: a number as given, a time by the index. */
  async resolve(at: { seq: number } | { time: Date }): Promise<number> {
    const seq = 'seq' in at ? at.seq : await sequenceAt(this.handle.db, at.time);
    return Math.min(seq, this.position());
  }

  async jobAt(id: string, upTo: number): Promise<{ at: MomentRef; job: JobAt | undefined }> {
    const commits = await indexedCommits(this.handle.db, { subject: Subjects.job(id), upTo });
    const fold = new HistoryFold().applyAll(commits);
    return { at: await this.moment(upTo), job: jobAt(id, fold.jobs.get(id)) };
  }

  /**
   * The whole cluster folded up to `upTo`: from the newest snapshot at or before it, then every
   * commit after. On the way, each SNAPSHOT_EVERY commits past the last snapshot it writes one (up
   * to `snapshotBound`: never past a commit the projection quarantined), so the next fold of a
   * moment that late starts there; a snapshot holds only the aggregates changed since the one before.
   */
  async clusterAt(upTo: number): Promise<HistoryFold> {
    const db = this.handle.db;
    const snap = await snapshotAtOrBefore(db, upTo);
    const fold = snap ? HistoryFold.fromSnapshot(snap.seq, snap.time, await snapshotStates(db, snap.seq)) : new HistoryFold();
    const bound = await snapshotBound(db, this.position());
    let last = snap?.seq ?? 0;
    await this.eachCommit({ from: fold.position + 1, upTo }, async () => {
      if (fold.position - last < this.opts.snapshotEvery || fold.position > bound) return;
      await writeSnapshot(db, fold.position, fold.time, fold.takeSnapshot());
      last = fold.position;
    }, (c) => fold.apply(c));
    return fold;
  }

  async jobsAt(upTo: number): Promise<{ at: MomentRef; items: JobAt[] }> {
    return { at: await this.moment(upTo), items: jobsAt(await this.clusterAt(upTo)) };
  }

  async nodesAt(upTo: number): Promise<{ at: MomentRef; items: NodeAt[] }> {
    return { at: await this.moment(upTo), items: nodesAt(await this.clusterAt(upTo)) };
  }

  /**
   * The job's decisions. Each placement is checked against the cluster as it stood just before it,
   * by one fold of the log that stops at every placement on the way.
   */
  async explain(id: string): Promise<Explanation | undefined> {
    const upTo = this.position();
    const mine = await indexedCommits(this.handle.db, { subject: Subjects.job(id), upTo });
    if (!mine.length) return undefined;
    const placements = mine.filter((c) => c.events.some((e) => e.type === 'JobScheduled'));
    const checks = new Map<number, PlacementCheck>();
    if (placements.length) {
      const fold = new HistoryFold();
      let next = 0;
      await this.eachCommit({ from: 1, upTo: placements.at(-1)!.seq }, async () => {}, (c) => {
        while (next < placements.length && placements[next].seq === c.seq) {
          const job = fold.jobs.get(id)?.state;
          const e = c.events.find((x) => x.type === 'JobScheduled');
          if (job && job.status !== 'none' && e?.type === 'JobScheduled') checks.set(c.seq, checkPlacement(fold, job, e.data));
          next++;
        }
        fold.apply(c);
      });
    }
    const preemptors = new Set(mine.flatMap((c) => c.events.flatMap((e) => (e.type === 'JobPreempted' ? [e.data.by] : []))));
    const related = new Map<string, StoredCommit[]>();
    for (const by of preemptors) related.set(by, await indexedCommits(this.handle.db, { subject: Subjects.job(by), upTo }));
    return explainJob(id, mine, { placementChecks: checks, related });
  }

  async goodput(id: string, now: Date): Promise<JobGoodput | undefined> {
    const upTo = this.position();
    const mine = await indexedCommits(this.handle.db, { subject: Subjects.job(id), upTo });
    if (!mine.length) return undefined;
    const nodes = new Set(mine.flatMap((c) => c.events.flatMap((e) => ('nodeId' in e.data && typeof e.data.nodeId === 'string' ? [e.data.nodeId] : []))));
    const nodeCommits = (await Promise.all([...nodes].map((n) => indexedCommits(this.handle.db, { subject: Subjects.node(n), upTo })))).flat();
    return jobGoodput(id, mine, now.toISOString(), { nodeCommits });
  }

  /** The ledger of every job with an event since `since`, summed for the cluster. */
  async clusterGoodput(since: Date, now: Date) {
    const upTo = this.position();
    const ids = await this.handle.db
      .selectFrom('events')
      .select('job_id')
      .distinct()
      .where('aggregate', '=', 'job')
      .where('time', '>=', since)
      .where('seq', '<=', upTo)
      .execute();
    const jobs: JobGoodput[] = [];
    for (const { job_id } of ids) {
      if (!job_id) continue;
      const commits = await indexedCommits(this.handle.db, { subject: Subjects.job(job_id), upTo });
      jobs.push(jobGoodput(job_id, commits, now.toISOString()));
    }
    return { since: since.toISOString(), until: now.toISOString(), ...clusterGoodput(jobs) };
  }

  /**
   * The log's job and node commits as NDJSON lines (header first) from `fromSeq` to `toSeq`, read
   * from TY_EVENTS itself — the source of truth, not the index — one line per commit with its checksum.
   */
  async *exportLines(fromSeq: number, toSeq: number): AsyncGenerator<string> {
    const commits: StoredCommit[] = [];
    if (toSeq >= fromSeq) {
      await this.eventLog.replay((c) => {
        // The workload only: identities (tokens, bindings) stay with their cluster.
        const kind = Subjects.parseAggregate(c.subject)?.kind;
        if (c.seq <= toSeq && (kind === 'job' || kind === 'node')) commits.push(c);
      }, { fromSeq });
    }
    yield `${headerLine(commits[0]?.seq ?? 0, commits.at(-1)?.seq ?? 0)}\n`;
    for (const c of commits) yield `${exportLine(c, sha256)}\n`;
  }

  private async moment(seq: number): Promise<MomentRef> {
    const row = await this.handle.db.selectFrom('events').select(sql<Date>`max(time)`.as('time')).where('seq', '=', seq).executeTakeFirst();
    return { seq, time: row?.time ? new Date(row.time).toISOString() : null };
  }

  /** Every commit from `from` up to `upTo` from the index, in order, a page at a time; `afterPage` between pages. */
  private async eachCommit(range: { from: number; upTo: number }, afterPage: () => Promise<void>, f: (c: StoredCommit) => void): Promise<void> {
    let from = range.from;
    while (from <= range.upTo) {
      const to = Math.min(range.upTo, from + this.opts.foldPage - 1);
      for (const c of await indexedCommits(this.handle.db, { fromSeq: from, upTo: to })) f(c);
      await afterPage();
      from = to + 1;
    }
  }
}
