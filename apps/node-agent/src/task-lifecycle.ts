import type { NatsConnection } from '@nats-io/transport-node';
import {
  NODE_EVENT_TYPES,
  type NodeEvent,
  type NodeEventData,
  type StoredCommit,
  type TaskAssignment,
  type TaskExitReason,
  failoverTerminationGraceSeconds,
} from '@trainyard/contracts';
import { inSpan } from '@trainyard/telemetry';
import type { AgentLogger } from './agent-logger';
import type { AgentReports } from './agent-reports';
import type { RunningTask } from './heartbeat';
import { type LaunchRecord, type LaunchRecords, processStartTicks } from './launch-record';
import type { LaunchPreparation } from './launch-preparation';
import { launcherFor } from './launchers';
import { launchVerdict } from './launch-verdict';
import { explainExit, type ExitExplanation } from './exit-analysis';
import { SpecError } from './spec-error';
import { settledWithin } from './settled-within';
import { storedLines } from './re-adoption';
import type { SampledTask } from './resource-sampler';
import { type AgentAction, applyNodeEvent, type Desired, exitReason, type LocalTask, onCheckpoint, orderStop, reconcile, releaseVerdict, type StopOrder, type TaskRef, taskKey } from './task-reconciler';
import { ackStamp, writeNotice } from './preemption-notice';
import { taskPaths } from './task-paths';
import { restartVerdict, stopForRestart } from './task-restart';
import { runExec, type ExecRunner } from './task-exec';
import type { TaskExit, TaskHandle } from './task-runtime';
import type { TaskSlot, TaskSlots } from './task-slots';

export interface TaskLifecycleDeps {
  nodeId: string;
  /** Grace of the stop ordered when the job refuses a start. */
  stopGraceMs: number;
  nc: NatsConnection;
  records: LaunchRecords;
  launcher: LaunchPreparation;
  reports: AgentReports;
  slots: TaskSlots;
  now: () => Date;
  logger: AgentLogger;
  /** The agent's work dir: where each attempt's `MA_MOUNT_PATH` is (the notice and ack files). */
  workDir: string;
}

const NODE_EVENTS = new Set<string>(NODE_EVENT_TYPES);

/**
 * The life of each attempt on this node: what the node's subject asks for (`desired`) against what
 * this agent has done (`local`), converged by the pure reconciler (task-reconciler.ts) one action at
 * a time: launch, report the start, stop, skip; then the exit, reported after the last log line.
 * Attempts an earlier run launched are settled before any commit (re-adoption.ts), never relaunched.
 */
export class TaskLifecycle {
  private desired: Desired = new Map();
  private readonly local = new Map<string, LocalTask>();
  /** Lines each ended attempt logged: a restart in place continues the numbering. */
  private readonly loggedLines = new Map<string, number>();
  /** The agent is shutting down: tasks that end now are `lost`, not `exited`. */
  private stopping = false;
  /** Attempts being launched again after the agent's own death (`relaunch`): their record is theirs already. */
  private readonly relaunching = new Set<string>();
  /** The last checkpoint acknowledgement seen per attempt (its file's mtime). */
  private readonly acks = new Map<string, number>();
  /** Released attempts still stopping: forgotten once their exit is reported. */
  private readonly released = new Set<string>();
  private ackTimer?: NodeJS.Timeout;

  private readonly slots: TaskSlots;
  private readonly logger: AgentLogger;

  constructor(private readonly deps: TaskLifecycleDeps) {
    ({ slots: this.slots, logger: this.logger } = deps);
  }

  /**
   * Where a command may run in attempt `key` (issue 15): a process task this agent runs now. Undefined
   * with the reason otherwise (not running here, or a container task: not offered yet).
   */
  execTarget(key: string): { run: ExecRunner } | { refused: string } {
    if (this.local.get(key)?.phase !== 'running') return { refused: `${key} is not running on this node` };
    const slot = this.slots.get(key);
    const ctx = slot?.exec;
    if (ctx) return { run: (command, timeoutMs) => runExec(ctx, command, timeoutMs) };
    const handle = slot?.handle;
    if (handle?.exec) return { run: (command, timeoutMs) => handle.exec!(command, timeoutMs) };
    return { refused: `${key} has no place to run a command: a process task adopted from an earlier agent run (not offered yet)` };
  }

  /** Attempts with a live process, for the heartbeat. */
  running(): RunningTask[] {
    return this.slots.running(this.local);
  }

  /** Running attempts with their process group and request, for the resource sampler. */
  sampled(): SampledTask[] {
    return this.slots.sampled(this.local);
  }

  // ------------------------------------------------------------ an earlier run's attempts

  /** An attempt an earlier run launched is over for this agent: it is never launched again. */
  settled(key: string): void {
    this.local.set(key, { phase: 'exited', startReported: true });
  }

  /** A task of an earlier run, found again (re-adoption.ts): followed from where its record left it. */
  adopted(key: string, record: LaunchRecord, slot: TaskSlot, handle: TaskHandle): void {
    slot.handle = handle;
    // What the commit said, so a stop still reaches the task and the reports keep their correlation.
    this.desired = new Map(this.desired).set(key, { assignment: record.assignment!, ...(record.cause ? { cause: record.cause } : {}), ...(record.stop ? { stop: record.stop } : {}) });
    this.local.set(key, { phase: record.stop ? 'stopping' : 'running', startReported: record.startReported ?? false });
    // Not reported yet: the assignment's commit was not acked either, comes again and reports it.
    if (record.startReported) slot.markStarted();
    this.deps.launcher.resumeFollowers(record.assignment!, slot);
    if (record.stop) void handle.stop(record.stop.graceMs);
    slot.done = handle.exited.then((exit) => this.onExit(key, exit));
  }

  /**
   * An attempt an earlier run lost before its command ran (re-adoption.ts): launched again, same
   * attempt, through the usual launch — the job's history still decides whether it is wanted. Its
   * record stays (counting the relaunch), so nothing launches it a third time. A failure here (NATS
   * away) is left to the assignment's commit, which was never acked and comes again.
   */
  async relaunch(key: string, record: LaunchRecord): Promise<void> {
    await this.deps.records.update(record, { relaunches: (record.relaunches ?? 0) + 1 });
    this.desired = new Map(this.desired).set(key, { assignment: record.assignment!, ...(record.cause ? { cause: record.cause } : {}) });
    this.local.delete(key);
    this.relaunching.add(key);
    try {
      await this.converge(key);
    } catch (err) {
      this.logger.warn({ task: key, err }, 'relaunch not finished; the assignment\'s commit will come again');
    }
  }

  // ------------------------------------------------------------ node commits

  /** Acked when this resolves: every action the commit called for has been carried out. */
  async onCommit(commit: StoredCommit): Promise<void> {
    for (const e of commit.events) {
      if (!NODE_EVENTS.has(e.type)) continue;
      const event = e as NodeEvent;
      this.desired = applyNodeEvent(this.desired, event, commit.meta);
      if (event.type === 'TaskAssigned' || event.type === 'TaskStopRequested') await this.converge(taskKey(event.data));
      if (event.type === 'TaskRestartRequested') await this.restartInPlace(event.data);
      if (event.type === 'TaskReleased') await this.release(taskKey(event.data));
    }
  }

  /** `TaskReleased`: stop what is left of the attempt, and forget it once it is over (`releaseVerdict`). */
  private async release(key: string): Promise<void> {
    const verdict = releaseVerdict(this.local.get(key));
    if (verdict === 'forget') return this.forget(key);
    this.released.add(key);
    if (verdict === 'stop') {
      this.logger.info({ task: key }, 'released while running; stopping it');
      this.desired = orderStop(this.desired, key, { graceMs: this.deps.stopGraceMs, reason: 'released by the control plane' });
      await this.converge(key);
    }
  }

  /** Drops every trace of an attempt the control plane is done with: the maps hold live work only. */
  private forget(key: string): void {
    const desired = new Map(this.desired);
    desired.delete(key);
    this.desired = desired;
    this.local.delete(key);
    this.loggedLines.delete(key);
    this.acks.delete(key);
    this.released.delete(key);
  }

  /** Performs the reconciler's next action until there is none; each action changes `local`, so this ends. */
  private async converge(key: string): Promise<void> {
    for (let i = 0; i < 8; i++) {
      const [action] = reconcile(this.desired, this.local, [key]);
      if (!action) return;
      await this.perform(action);
    }
    throw new Error(`reconciling ${key} did not settle`);
  }

  private async perform(action: AgentAction): Promise<void> {
    switch (action.kind) {
      case 'launch':
        return this.launch(action.key, action.assignment);
      case 'report-started':
        return this.reportStarted(action.key);
      case 'stop':
        return this.stopTask(action.key, action.graceMs, action.reason, action.preemption);
      case 'skip':
        return this.finishUnlaunched(action.key, action.assignment, 'stopped', `stopped before it was launched (${action.reason})`);
      default: {
        const _exhaustive: never = action;
        return _exhaustive;
      }
    }
  }

  // ------------------------------------------------------------ actions

  private async launch(key: string, a: TaskAssignment): Promise<void> {
    const { nodeId, records, launcher } = this.deps;
    const verdict = launchVerdict(await this.deps.reports.taskView(a), a, nodeId);
    if (verdict === 'skip') {
      this.logger.info({ task: key }, 'assignment is over or superseded; not launching');
      this.local.set(key, { phase: 'exited', startReported: true });
      return;
    }
    if (verdict === 'stop') return this.finishUnlaunched(key, a, 'stopped', 'the job is ending; the task was not launched');
    if (verdict === 'orphaned') return this.finishUnlaunched(key, a, 'lost', 'the job says this task runs here, but this agent did not start it');

    const ref: TaskRef = { jobId: a.jobId, task: a.task, attempt: a.attempt };
    const relaunch = this.relaunching.delete(key);
    const earlier = await records.read(ref);
    if (earlier && !relaunch) {
      this.logger.info({ task: key }, 'already launched by this node; not launching again');
      this.local.set(key, { phase: 'exited', startReported: true });
      return;
    }
    // Recorded before the process exists: a crash from here on never leads to a second launch.
    const cause = this.desired.get(key)?.cause;
    await records.write({ ...ref, launchedAt: this.deps.now().toISOString(), runtime: a.runtime ?? 'process', assignment: a, ...(cause ? { cause } : {}), ...(earlier?.relaunches ? { relaunches: earlier.relaunches } : {}) });
    // A task moved here by a pod reschedule keeps its attempt, and so does one launched again: its
    // lines go on after those already stored.
    const slot = this.slots.open(key, a, a.scheduleCount > 1 || relaunch ? (await storedLines(this.deps.nc, ref)) + 1 : undefined);
    const check = await launcher.precheck(key, a, slot, this.desired.get(key)?.cause);
    if (check?.failure) {
      this.local.set(key, { phase: 'exited', startReported: true });
      if (!(await this.finishExit(key, { exitCode: null, signal: null }, 'precheck-failed', check.failure))) throw new Error(`exit of ${key} not reported`);
      return;
    }
    let handle: TaskHandle;
    const preparing = Date.now();
    try {
      const attrs = { 'trainyard.job_id': a.jobId, 'trainyard.task': a.task, 'trainyard.node_id': nodeId };
      handle = await inSpan('trainyard.node-agent', 'launch task', this.desired.get(key)?.cause?.traceparent, attrs, (tp) => {
        slot.traceparent = tp;
        return launcher.spawn(a, slot);
      });
    } catch (err) {
      return this.launchFailed(key, err as Error, preparing);
    }
    slot.handle = handle;
    this.local.set(key, { phase: 'running', startReported: false });
    this.logger.info({ task: key, pid: handle.pid }, 'task launched');
    slot.done = handle.exited.then((exit) => this.onExit(key, exit));
    await records.update(ref, { pid: handle.pid, pidStart: await processStartTicks(handle.pid) });
  }

  /**
   * The fault manager's in-place restart (task-restart.ts): stop what is left of the attempt (stack
   * dump first when asked), then launch it again on this node with the new `MA_PROC_START_CNT`.
   */
  private async restartInPlace(r: NodeEventData['TaskRestartRequested']): Promise<void> {
    const key = taskKey(r);
    const d = this.desired.get(key);
    const verdict = restartVerdict(d, this.local.get(key), r);
    this.logger.info({ task: key, procStartCount: r.procStartCount, verdict }, 'restart in place requested');
    if (verdict !== 'restart' && verdict !== 'pending') return;
    const assignment = { ...d!.assignment, procStartCount: r.procStartCount, ...(r.hosts ? { hosts: r.hosts } : {}) };
    this.desired = new Map(this.desired).set(key, { ...d!, assignment });
    if (verdict === 'pending') return this.converge(key);
    const old = this.slots.get(key);
    if (old?.handle && this.local.get(key)?.phase !== 'exited') {
      old.replaced = true;
      await stopForRestart(old.handle, r, (line) => void old.shipper.push('stderr', line));
      // What the attempt wrote is in the store (and its log) before the same attempt stages it again.
      await old.outputs?.finish().catch((err: Error) => this.logger.warn({ task: key, err }, 'outputs not synced before the restart'));
      await old.logFiles?.finish().catch((err: Error) => this.logger.warn({ task: key, err }, 'log dir not read before the restart'));
      await old.shipper.flush().catch(() => undefined);
      // The runtime's leftovers (a supervisor's run dir, a container) go before the same attempt runs again.
      await old.handle.release?.().catch((err: Error) => this.logger.warn({ task: key, err }, 'task leftovers not removed'));
    }
    // An exit that is being reported finishes first (its slot goes away with it).
    await old?.done;
    const firstSeq = (old?.replaced ? old.shipper.lineCount : (this.loggedLines.get(key) ?? 0)) + 1;
    const slot = this.slots.open(key, assignment, firstSeq);
    const preparing = Date.now();
    try {
      slot.handle = await this.deps.launcher.spawn(assignment, slot);
    } catch (err) {
      return this.launchFailed(key, err as Error, preparing);
    }
    const handle = slot.handle;
    this.local.set(key, { phase: 'running', startReported: false });
    slot.done = handle.exited.then((exit) => this.onExit(key, exit));
    // A re-adopting agent follows this process: its assignment, its first line number, its start to report.
    await this.deps.records.update(slot.ref, { pid: handle.pid, pidStart: await processStartTicks(handle.pid), exitReported: false, assignment, firstSeq, startReported: false });
    await this.converge(key);
  }

  private async reportStarted(key: string): Promise<void> {
    const d = this.desired.get(key)!;
    const slot = this.slots.get(key)!;
    const outcome = await this.deps.reports.started(key, d.assignment, { pid: slot.handle?.pid, traceparent: slot.traceparent }, d.cause);
    if (!outcome) throw new Error(`start of ${key} not reported: the agent is stopping`);
    const l = this.local.get(key)!;
    this.local.set(key, { ...l, startReported: true });
    await this.deps.records.update(slot.ref, { startReported: true });
    slot.markStarted();
    if (!outcome.ok) {
      this.logger.warn({ task: key, reason: outcome.reason, message: outcome.message }, 'the job refused the start; stopping the task');
      this.desired = orderStop(this.desired, key, { graceMs: this.deps.stopGraceMs, reason: `start refused: ${outcome.reason}` });
    }
  }

  /** Sends the stop and returns: the exit is reported when the process is gone. */
  private async stopTask(key: string, graceMs: number, reason: string, preemption?: StopOrder['preemption']): Promise<void> {
    const l = this.local.get(key)!;
    this.local.set(key, { ...l, phase: 'stopping' });
    this.logger.info({ task: key, graceMs, reason }, 'stopping task');
    const slot = this.slots.get(key);
    // The notice is there before the SIGTERM: a script that polls instead of trapping still sees it.
    if (preemption && slot) {
      const notice = { preemptedBy: preemption.by, deadline: preemption.deadline, graceSeconds: graceMs / 1000, reason };
      await writeNotice(taskPaths(this.deps.workDir, slot.ref), notice).catch((err) => this.logger.warn({ task: key, err }, 'preemption notice not written'));
    }
    // A restarted agent signals it again (the kill timer dies with this run).
    if (slot) await this.deps.records.update(slot.ref, { stop: { graceMs, reason } });
    void slot?.handle?.stop(graceMs);
  }

  // ------------------------------------------------------------ checkpoint acknowledgements

  /** Polls every live attempt's `MA_CHECKPOINT_ACK_FILE` (preemption-notice.ts). */
  watchCheckpoints(intervalMs: number): void {
    this.ackTimer ??= setInterval(() => void this.pollCheckpoints().catch((err) => this.logger.warn({ err }, 'checkpoint poll failed')), intervalMs);
    this.ackTimer.unref?.();
  }

  unwatchCheckpoints(): void {
    clearInterval(this.ackTimer);
    this.ackTimer = undefined;
  }

  /** A new acknowledgement is reported; during a preemption notice the task is ended at once. */
  async pollCheckpoints(): Promise<void> {
    for (const [key, l] of this.local) {
      if (l.phase === 'exited') {
        this.acks.delete(key);
        continue;
      }
      const slot = this.slots.get(key);
      if (!slot) continue;
      const stamp = await ackStamp(taskPaths(this.deps.workDir, slot.ref));
      if (stamp === undefined || stamp <= (this.acks.get(key) ?? 0)) continue;
      this.acks.set(key, stamp);
      const d = this.desired.get(key);
      const what = onCheckpoint(d, this.local.get(key));
      if (what.stopNow) {
        this.logger.info({ task: key }, 'checkpoint acknowledged during the preemption notice; stopping now');
        slot.handle?.stopNow?.();
      }
      if (what.report && d) await this.deps.reports.checkpointed(key, d.assignment, stamp, d.cause);
    }
  }

  // ------------------------------------------------------------ exits

  private async onExit(key: string, exit: TaskExit): Promise<void> {
    const slot = this.slots.get(key)!;
    if (slot.replaced) return;
    // The phase stays live until the start is reported, so a redelivered assignment still reports it.
    await slot.started;
    this.local.set(key, { ...this.local.get(key)!, phase: 'exited' });
    const reason = exitReason(this.desired.get(key), this.stopping);
    // The launcher's own report of the failure (torchrun, mpirun), or the shell's "not found".
    const why = reason === 'exited' ? explainExit(launcherFor(slot.assignment.algorithm), slot.assignment.algorithm, exit, slot.tail.get()) : {};
    this.logger.info({ task: key, ...exit, reason, ...why }, 'task exited');
    await this.finishExit(key, exit, reason, reason === 'lost' ? 'the node agent stopped' : undefined, why);
  }

  /**
   * No process could be started. The job's own spec at fault (a `SpecError`: code dir, boot file,
   * working dir, image…) is a `user-error` exit naming the field, never the node's fault; anything
   * else is the agent's (`launch-failed`).
   */
  private async launchFailed(key: string, err: Error, since: number): Promise<void> {
    const spec = err instanceof SpecError;
    // The job's own error is the job's news (its events say it), not the agent's trouble.
    if (spec) this.logger.info({ task: key, field: err.field, code: err.code, error: err.message }, 'the job\'s spec cannot run here');
    else this.logger.warn({ task: key, err }, 'launch failed');
    void this.slots.get(key)!.shipper.push('stderr', spec ? `[trainyard] ${err.field}: ${err.message}` : `[trainyard] launch failed: ${err.message}`);
    this.local.set(key, { phase: 'exited', startReported: true });
    const why = spec ? { userError: err.toUserError(Math.round((Date.now() - since) / 100) / 10) } : {};
    if (!(await this.finishExit(key, { exitCode: null, signal: null }, spec ? 'user-error' : 'launch-failed', err.message, why))) {
      throw new Error(`exit of ${key} not reported`);
    }
  }

  /** An attempt that never got a process (stopped before launch, or not ours to run). */
  private async finishUnlaunched(key: string, a: TaskAssignment, reason: TaskExitReason, error: string): Promise<void> {
    this.local.set(key, { phase: 'exited', startReported: true });
    this.logger.info({ task: key, reason }, error);
    const outcome = await this.deps.reports.exited(a, this.desired.get(key)?.cause, { exitCode: null, signal: null }, reason, error);
    if (!outcome) throw new Error(`exit of ${key} not reported`);
  }

  /**
   * Stores the attempt's last lines, then reports its exit: a reader who sees TaskExited finds every
   * line in TY_LOGS. Returns whether the report was stored (or refused, which is final).
   */
  private async finishExit(key: string, exit: TaskExit, reason: TaskExitReason, error?: string, why?: ExitExplanation): Promise<boolean> {
    const slot = this.slots.get(key)!;
    // The last output sync (staging/) before the exit is reported: a job that reads TaskExited (or
    // resumes elsewhere) finds every file the attempt wrote in its store; its lines precede eof.
    const syncStarted = Date.now();
    const lastSync = slot.outputs?.finish()
      .then(async (results) => {
        // W08 (L9977) per output the last pass uploaded to the end, before the exit it precedes.
        for (const r of results.filter((x) => !x.failure)) {
          await this.deps.reports.staging(slot.assignment, { kind: 'output-uploaded', name: r.name, elapsedSeconds: (Date.now() - syncStarted) / 1000, files: r.uploaded });
        }
      })
      .catch((err: Error) => this.logger.warn({ task: key, err }, 'outputs not synced'));
    // MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS (L8147-8155): after N s the teardown goes on in the
    // background, so the exit (and the job's reschedule) no longer waits for the last sync.
    const graceS = failoverTerminationGraceSeconds(slot.assignment.algorithm.environments);
    if (await settledWithin(lastSync, graceS === undefined ? undefined : graceS * 1000) === 'pending') {
      this.logger.warn({ task: key, graceS }, 'last output sync goes on after the exit (MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS)');
    }
    await slot.logFiles?.finish().catch((err: Error) => this.logger.warn({ task: key, err }, 'log dir not read to its end'));
    await slot.sshTrust?.release().catch((err: Error) => this.logger.warn({ task: key, err }, 'instance names not removed from the hosts file'));
    try {
      await slot.shipper.close(); // eof: a live follow ends right after the last line
    } catch (err) {
      this.logger.warn({ task: key, err }, 'last log lines not stored');
    }
    const outcome = await this.deps.reports.exited(slot.assignment, this.desired.get(key)?.cause, exit, reason, error, why);
    if (outcome) await this.deps.records.update(slot.ref, { exitReported: true });
    // The runtime kept the container (or the supervisor's files) for a restarted agent until now.
    if (outcome) await slot.handle?.release?.().catch((err: Error) => this.logger.warn({ task: key, err }, 'task leftovers not removed'));
    this.loggedLines.set(key, slot.shipper.lineCount);
    // A restart in place may have put a new slot here meanwhile.
    if (this.slots.get(key) === slot) this.slots.delete(key);
    if (outcome && this.released.has(key)) this.forget(key);
    return outcome !== undefined;
  }

  // ------------------------------------------------------------ agent shutdown

  /** From now on a task that ends was ended by the agent's own stop: it is reported `lost`. */
  shuttingDown(): void {
    this.stopping = true;
  }

  /**
   * `TY_ON_SHUTDOWN=stop-tasks`: stops every live attempt (SIGTERM, SIGKILL after `graceMs`) and
   * resolves once each exit is reported, or, `giveUpAfterMs` after the last process ended, given up on.
   */
  async stopAll(graceMs: number, giveUpAfterMs: number): Promise<void> {
    // No redelivery will retry a start report now: let every exit be reported as it comes.
    for (const s of this.slots.values()) s.markStarted();
    const live = [...this.slots.entries()].filter(([key]) => {
      const phase = this.local.get(key)?.phase;
      return phase === 'running' || phase === 'stopping';
    });
    for (const [key, slot] of live) {
      const l = this.local.get(key)!;
      if (l.phase === 'running') this.local.set(key, { ...l, phase: 'stopping' });
      void slot.handle?.stop(graceMs);
    }
    await Promise.all(live.map(([, s]) => s.handle?.exited));
    const giveUp = setTimeout(() => {
      this.deps.reports.giveUp();
      for (const s of this.slots.values()) s.shipper.abandon();
    }, giveUpAfterMs);
    await Promise.all(live.map(([, s]) => s.done));
    clearTimeout(giveUp);
  }
}
