import { randomUUID } from 'node:crypto';
import type { CommitMeta, TaskAssignment, TaskExitReason } from '@trainyard/contracts';
import { inSpan } from '@trainyard/telemetry';
import type { AgentConfig } from './agent-config';
import type { AgentLogger } from './agent-logger';
import type { ExitExplanation } from './exit-analysis';
import type { PreflightReport } from './preflight/run-preflight';
import { type TaskRef, taskKey } from './task-reconciler';
import type { ReportOutcome, TaskReporter } from './task-reporter';
import type { TaskExit } from './task-runtime';

/**
 * What the agent tells the control plane (registration, pre-check, start, exit), each report retried
 * through infrastructure failures (NATS away) with a capped backoff. The reporter's command ids are
 * deterministic (task-reporter.ts), so a retried report is stored once. A refusal is an answer, not
 * a failure: it is returned, never retried. Once the agent gives up on shutdown, every report in
 * flight or to come resolves `undefined`.
 */
export class AgentReports {
  /** Shutdown ran out of time: stop retrying reports. */
  private givenUp = false;

  constructor(
    private readonly reporter: TaskReporter,
    private readonly nodeId: string,
    private readonly logger: AgentLogger,
  ) {}

  giveUp(): void {
    this.givenUp = true;
  }

  /** Registers the node; throws when the agent stops first or the node's aggregate refuses it. */
  async registerNode(config: AgentConfig): Promise<void> {
    const { nodeId, host, pool, capacity, labels } = config;
    const commandId = `register/${nodeId}/${randomUUID()}`;
    const outcome = await this.retry('register node', () => this.reporter.registerNode({ nodeId, host, pool, capacity, labels }, commandId));
    if (!outcome) throw new Error(`node ${nodeId} could not register: the agent is stopping`);
    if (!outcome.ok) throw new Error(`node ${nodeId} registration refused: ${outcome.message}`);
  }

  /** The pre-check's result (W01, or W02/W03), before the attempt's start or its `precheck-failed` exit. */
  precheck(key: string, a: TaskAssignment, report: PreflightReport, cause: CommitMeta | undefined): Promise<ReportOutcome | undefined> {
    const { elapsedSeconds, items } = report;
    const data = { task: a.task, attempt: a.attempt, nodeId: this.nodeId, elapsedSeconds, items };
    return this.retry(`report pre-check of ${key}`, () => this.reporter.taskPrecheck(a.jobId, data, cause));
  }

  /**
   * The start, in a span that continues the launch's trace (decision 11). Tried 3 times only: an
   * infrastructure failure then throws, so the commit is redelivered and the report retried.
   */
  started(
    key: string,
    a: TaskAssignment,
    launch: { pid: number | undefined; traceparent: string | undefined },
    cause: CommitMeta | undefined,
  ): Promise<ReportOutcome | undefined> {
    return this.retry(
      `report start of ${key}`,
      () =>
        inSpan('trainyard.node-agent', 'task started', launch.traceparent ?? cause?.traceparent, { 'trainyard.task': a.task }, (tp) =>
          this.reporter.taskStarted(
            a.jobId,
            { task: a.task, attempt: a.attempt, nodeId: this.nodeId, pid: launch.pid, procStartCount: a.procStartCount },
            cause && tp ? { ...cause, traceparent: tp } : cause,
          ),
        ),
      3,
    );
  }

  /**
   * The exit of an attempt; `ref` is its assignment when there is one (its start count goes along).
   * `why`: what the agent found out about it — the spec field at fault, the launcher's own report.
   */
  async exited(
    ref: TaskRef,
    cause: CommitMeta | undefined,
    exit: TaskExit,
    reason: TaskExitReason,
    error?: string,
    why: ExitExplanation = {},
  ): Promise<ReportOutcome | undefined> {
    const data = {
      task: ref.task,
      attempt: ref.attempt,
      nodeId: this.nodeId,
      exitCode: exit.exitCode,
      signal: exit.signal,
      reason,
      ...(error !== undefined ? { error } : {}),
      ...(why.userError ? { userError: why.userError } : {}),
      ...(why.launcher ? { launcher: why.launcher } : {}),
      // The process's start count: the job ignores the exit of a process a restart replaced.
      ...('procStartCount' in ref ? { procStartCount: (ref as TaskAssignment).procStartCount } : {}),
    };
    const outcome = await this.retry(`report exit of ${taskKey(ref)}`, () => this.reporter.taskExited(ref.jobId, data, cause));
    if (outcome && !outcome.ok) this.logger.warn({ task: taskKey(ref), reason: outcome.reason, message: outcome.message }, 'the job refused the exit report');
    return outcome;
  }

  /** `attempts` tries (each failure logged, then 100 ms doubling up to 2 s), or until the agent gives up. */
  private async retry(what: string, call: () => Promise<ReportOutcome>, attempts = Infinity): Promise<ReportOutcome | undefined> {
    for (let i = 0; ; i++) {
      if (this.givenUp) return undefined;
      try {
        return await call();
      } catch (err) {
        if (i + 1 >= attempts) throw err;
        this.logger.warn({ err, attempt: i + 1 }, `${what} failed; retrying`);
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
      }
    }
  }
}
