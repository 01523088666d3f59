import type { FailureAnalysis } from '@trainyard/contracts';
import { listLogAttempts, tailLogLines, type Database } from '@trainyard/db';
import { analyseFailure, type FaultHint } from '@trainyard/domain';
import type { Kysely } from 'kysely';
import type { AnalysisStatus } from './fault-actions';
import type { RecordedExit } from './fault-state';

/** One analysed exit. */
export interface AnalysisResult extends AnalysisStatus {
  jobId: string;
  task: string;
  attempt: number;
  seq: number;
  analysis?: FailureAnalysis;
}

/**
 * Reads a failed task's last log lines from the log store (PostgreSQL) and matches them against the
 * rule table (libs/domain `analyseFailure`). The lines may still be on their way (the agent stores
 * them in TY_LOGS before it reports the exit; the log router then writes them), so it waits for the
 * attempt's end mark — a newer one than the last failure of the same attempt had — for at most
 * `waitMs`, then reads what there is. Without a database every exit is "analysed" at once, with no result.
 */
export class FailureAnalyser {
  private readonly results = new Map<string, AnalysisResult>();
  /** End mark seen by the previous analysis of each task attempt (a restart in place reuses the attempt). */
  private readonly lastEof = new Map<string, number | null>();

  constructor(
    private readonly db: Kysely<Database> | undefined,
    private readonly opts: { waitMs: number; lines: number },
    private readonly onReady: (r: AnalysisResult) => void,
    private readonly warn: (msg: string) => void,
  ) {}

  /** The status of this exit's analysis; the first call starts it. */
  status(jobId: string, exit: RecordedExit): AnalysisStatus {
    const key = `${jobId}/${exit.data.task}/${exit.data.attempt}/${exit.seq}`;
    const known = this.results.get(key);
    if (known) return known;
    const base = { jobId, task: exit.data.task, attempt: exit.data.attempt, seq: exit.seq };
    const pending: AnalysisResult = { ...base, ready: this.db === undefined };
    this.results.set(key, pending);
    if (this.db) void this.run(key, base, this.db);
    return pending;
  }

  /** Analyses that found something, for recording. */
  found(): AnalysisResult[] {
    return [...this.results.values()].filter((r) => r.ready && r.analysis);
  }

  forget(jobId: string): void {
    for (const key of this.results.keys()) if (key.startsWith(`${jobId}/`)) this.results.delete(key);
  }

  private async run(key: string, r: Omit<AnalysisResult, 'ready'>, db: Kysely<Database>): Promise<void> {
    const attemptKey = `${r.jobId}/${r.task}/${r.attempt}`;
    const until = Date.now() + this.opts.waitMs;
    let result: AnalysisResult = { ...r, ready: true };
    try {
      for (;;) {
        const attempt = (await listLogAttempts(db, r.jobId, r.task)).find((a) => a.attempt === r.attempt);
        const eof = attempt?.eofSeq ?? null;
        if ((eof !== null && eof !== (this.lastEof.get(attemptKey) ?? null)) || Date.now() >= until) {
          this.lastEof.set(attemptKey, eof);
          break;
        }
        await new Promise((res) => setTimeout(res, 50));
      }
      const lines = await tailLogLines(db, { jobId: r.jobId, task: r.task, attempt: r.attempt, lines: this.opts.lines });
      const found = analyseFailure(lines.map((l) => ({ seq: l.seq, text: l.text })));
      if (found) {
        const { hint, ...analysis } = found;
        result = { ...r, ready: true, hint: hint as FaultHint, analysis };
      }
    } catch (err) {
      this.warn(`log of ${attemptKey} not analysed: ${(err as Error).message}`);
    }
    this.results.set(key, result);
    this.onReady(result);
  }
}
