import { randomUUID } from 'node:crypto';
import { type CommitMeta, storableText, type TaskAssignment, type TaskExitReason } from '@trainyard/contracts';
import { inSpan } from '@trainyard/telemetry';
import type { AgentConfig } from './agent-config';
import type { AgentLogger } from './agent-logger';
import type { ExitExplanation } from './exit-analysis';
import type { PreflightReport } from './preflight/run-preflight';
import { type TaskRef, taskKey } from './task-reconciler';
import type { TaskView } from '@trainyard/domain';
import type { ReportOutcome, TaskReporter } from '@trainyard/node-reports';
import type { TaskExit } from './task-runtime';
import type { StagingReport } from './staging/task-staging';

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
    const { nodeId, host, pool, capacity, labels, devices } = config;
    const commandId = `register/${nodeId}/${randomUUID()}`;
    const inventory = devices.gpu?.length || devices.npu?.length ? { devices } : {};
    const outcome = await this.retry('register node', () => this.reporter.registerNode({ nodeId, host, pool, capacity, labels, ...inventory }, commandId));
    if (!outcome) throw new Error(`node ${nodeId} could not register: the agent is stopping`);
    if (!outcome.ok) throw new Error(`node ${nodeId} registration refused: ${outcome.message}`);
  }

  /** The pre-check's result (W01, or W02/W03), before the attempt's start or its `precheck-failed` exit. */
  precheck(key: string, a: TaskAssignment, report: PreflightReport, cause: CommitMeta | undefined): Promise<ReportOutcome | undefined> {
    const { elapsedSeconds, items } = report;
    const data = { task: a.task, attempt: a.attempt, nodeId: this.nodeId, elapsedSeconds, items };
    return this.retry(`report pre-check of ${key}`, () => this.reporter.taskPrecheck(a.jobId, data, cause));
  }

  /** One staged channel (W06–W09); a refusal or a give-up is logged, never fatal to the task. */
  async staging(a: TaskAssignment, report: StagingReport): Promise<void> {
    const data = { task: a.task, attempt: a.attempt, nodeId: this.nodeId, procStartCount: a.procStartCount, ...report, elapsedSeconds: Math.round(report.elapsedSeconds * 10) / 10 };
    const key = `${a.jobId}/${a.task}/${a.attempt}`;
    const outcome = await this.retry(`report staging of ${key}`, () => this.reporter.taskStaging(a.jobId, data), 5);
    if (outcome && !outcome.ok) this.logger.warn({ task: key, reason: outcome.reason }, `staging report refused: ${outcome.message}`);
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

  /** The task acknowledged a checkpoint (`stamp`: its ack file's mtime, which keys the command). */
  async checkpointed(key: string, a: TaskAssignment, stamp: number, cause: CommitMeta | undefined): Promise<void> {
    const data = { task: a.task, attempt: a.attempt, nodeId: this.nodeId };
    const outcome = await this.retry(`report checkpoint of ${key}`, () => this.reporter.taskCheckpointed(a.jobId, data, Math.floor(stamp), cause), 3);
    if (outcome && !outcome.ok) this.logger.warn({ task: key, reason: outcome.reason }, 'the job refused the checkpoint report');
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
      // The error may quote what the job asked to run (an injected commit may hold a NUL): stored as text.
      ...(error !== undefined ? { error: storableText(error) } : {}),
      ...(why.userError ? { userError: why.userError } : {}),
      ...(why.launcher ? { launcher: why.launcher } : {}),
      // The process's start count: the job ignores the exit of a process a restart replaced.
      ...('procStartCount' in ref ? { procStartCount: (ref as TaskAssignment).procStartCount } : {}),
    };
    const outcome = await this.retry(`report exit of ${taskKey(ref)}`, () => this.reporter.taskExited(ref.jobId, data, cause));
    if (outcome && !outcome.ok) this.logger.warn({ task: taskKey(ref), reason: outcome.reason, message: outcome.message }, 'the job refused the exit report');
    return outcome;
  }

  /**
   * What the job says of the assignment's task (launch-verdict.ts), asked of the control plane: a
   * locked bus lets no agent read job subjects. Tried 3 times, then throws (the commit comes again).
   */
  async taskView(a: TaskAssignment): Promise<TaskView> {
    const view = await this.retry(`ask the job about ${a.jobId}/${a.task}`, () => this.reporter.taskView(a.jobId, a.task), 3);
    if (!view) throw new Error(`${a.jobId}/${a.task}: the agent is stopping`);
    return view;
  }

  /** `attempts` tries (each failure logged, then 100 ms doubling up to 2 s), or until the agent gives up. */
  private async retry<T>(what: string, call: () => Promise<T>, attempts = Infinity): Promise<T | undefined> {
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
