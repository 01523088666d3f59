import { runningMs, waitReasonWorthRecording, type TrainingJobCommand, type WaitReasonPolicy } from '@trainyard/domain';
import type { Plan } from '@trainyard/scheduling';
import type { ClusterState } from './cluster-state';
import { toWaitReason } from './wait-reasons';

/** One command for one job, with its deterministic command id (a re-issue is harmless). */
export interface JobAction {
  jobId: string;
  commandId: string;
  command: TrainingJobCommand;
}

/** What a pass needs of the plan. */
export type PlanLike = Pick<Plan, 'place' | 'waiting'> & Partial<Pick<Plan, 'preempt' | 'cyclesPrevented'>>;

export interface JobActionOptions {
  /** Grace period of a preemption notice: SIGTERM to every rank, SIGKILL after it. */
  preemptGraceMs: number;
  /** A run younger than this is not preempted (the decider checks it too). */
  minRunMs: number;
  /** Length of one `maxRunHours` hour. */
  hourMs: number;
  /** The planner's cycle window, recorded with each cycle it stopped. */
  preemptionCycleWindowMs?: number;
  /** A job re-queued after a run fails after waiting this long. */
  requeueTimeoutMs: number;
  /** A placed job none of whose tasks started this long after its placement ends abnormal (J03); absent: never. */
  preparationTimeoutMs?: number;
  /** How often the numbers of an unchanged wait cause are recorded again (default `DEFAULT_WAIT_REASON_POLICY`). */
  waitReasons?: Partial<WaitReasonPolicy>;
  /**
   * False while this replica has not yet heard whether the registered nodes are alive (just started):
   * the plan's wait reasons then say only "no node heard from yet", so none is recorded.
   */
  recordWaits?: boolean;
}

/**
 * Every job command one scheduling pass calls for, derived from the plan and the state alone (so a
 * new leader finds the same work), in order: placements, preemptions, auto stops at the maximum
 * running time, re-queue time-outs, and wait reasons worth recording (a new cause; the numbers of
 * the same cause rarely, a bounded number of times: `waitReasonWorthRecording`). At most one action
 * per job per pass; what is left waits for the next pass.
 */
export function jobActions(state: ClusterState, plan: PlanLike, now: Date, opts: JobActionOptions): JobAction[] {
  const out: JobAction[] = [];
  const taken = new Set<string>();
  const metadata = { now: now.toISOString() };
  const push = (a: JobAction) => {
    if (taken.has(a.jobId) || !state.jobs.has(a.jobId)) return;
    taken.add(a.jobId);
    out.push(a);
  };

  for (const p of plan.place) {
    const job = state.jobs.get(p.jobId)?.state;
    if (!job || job.status === 'none') continue;
    if (job.dispatched) {
      // Tasks a pod reschedule left without a node (the rest of the job keeps its nodes).
      const key = p.placements.map((x) => `${x.task}.${job.tasks.find((t) => t.name === x.task)?.scheduleCount ?? 0}`).join(',');
      push({ jobId: p.jobId, commandId: `place/${p.jobId}/${job.attempt}/${key}`, command: { type: 'PlaceTasks', data: { placements: p.placements }, metadata } });
      continue;
    }
    push({ jobId: p.jobId, commandId: `schedule/${p.jobId}/${job.attempt + 1}`, command: { type: 'ScheduleJob', data: { placements: p.placements }, metadata } });
  }

  for (const { victimJobId, forJobId, kind } of plan.preempt ?? []) {
    const victim = state.jobs.get(victimJobId)?.state;
    const by = state.jobs.get(forJobId)?.state;
    if (!victim || victim.status === 'none' || !by || by.status === 'none') continue;
    const reclaim = kind === 'reclaim' ? { reclaim: true } : {};
    push({
      jobId: victimJobId,
      commandId: `preempt/${victimJobId}/${victim.attempt}`,
      command: { type: 'PreemptJob', data: { by: forJobId, byPriority: by.priority, graceMs: opts.preemptGraceMs, minRunMs: opts.minRunMs, ...reclaim }, metadata },
    });
  }

  // A cycle the planner stopped, once per (job, victim's attempt): an event and a metric (issue 16).
  for (const { jobId, victimJobId } of plan.cyclesPrevented ?? []) {
    const victim = state.jobs.get(victimJobId)?.state;
    if (!victim || victim.status === 'none') continue;
    push({
      jobId,
      commandId: `cycle/${jobId}/${victimJobId}/${victim.attempt}`,
      command: { type: 'RecordPreemptionCycle', data: { victim: victimJobId, windowMs: opts.preemptionCycleWindowMs ?? 3_600_000 }, metadata },
    });
  }

  for (const [jobId, { state: job }] of state.jobs) {
    if (job.status === 'none') continue;
    const maxRunHours = job.spec.spec.maxRunHours;
    if (job.status === 'running' && maxRunHours !== undefined && runningMs(job, metadata.now) >= maxRunHours * opts.hourMs) {
      push({ jobId, commandId: `max-run-time/${jobId}`, command: { type: 'StopJob', data: { by: 'scheduler', reason: 'max-run-time', maxRunHours }, metadata } });
    }
    if (job.status === 'waiting' && !job.dispatched && job.requeue && now.getTime() - Date.parse(job.requeue.at) >= opts.requeueTimeoutMs) {
      push({ jobId, commandId: `requeue-timeout/${jobId}/${job.attempt}`, command: { type: 'FailRequeuedJob', data: { limitMs: opts.requeueTimeoutMs }, metadata } });
    }
    const prep = opts.preparationTimeoutMs;
    if (prep !== undefined && job.status === 'waiting' && job.dispatched && job.dispatchedAt && now.getTime() - Date.parse(job.dispatchedAt) >= prep) {
      push({ jobId, commandId: `preparation-timeout/${jobId}/${job.attempt}`, command: { type: 'TimeOutPreparation', data: { limitMs: prep }, metadata } });
    }
  }

  for (const w of opts.recordWaits === false ? [] : plan.waiting) {
    const entry = state.jobs.get(w.jobId);
    const job = entry?.state;
    if (!entry || !job || job.status !== 'waiting' || job.dispatched) continue;
    const reason = toWaitReason(w);
    const last = job.waitReason && { reason: job.waitReason, ...job.waitRecord };
    if (!waitReasonWorthRecording(last, reason, metadata.now, opts.waitReasons, job.tasks.length)) continue;
    // Keyed by the job's version: the same state gives the same id, a new state a new one.
    const data = { reason, ...(opts.waitReasons ? { policy: opts.waitReasons } : {}) };
    push({ jobId: w.jobId, commandId: `wait/${w.jobId}/${entry.version}`, command: { type: 'RecordWaitReason', data, metadata } });
  }
  return out;
}
