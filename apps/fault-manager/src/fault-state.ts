import { Subjects, type JobEvent, type JobEventData, type NodeEvent, type StoredCommit } from '@trainyard/contracts';
import {
  classifyExit,
  emptyFaultCase,
  nodeDecider,
  recordNodeFailure,
  trainingJobDecider,
  type CrossJobOptions,
  type NodeFaultCase,
  type NodeState,
  type TrainingJob,
} from '@trainyard/domain';

/** The latest exit of one task of the job's current attempt, with where it sits in the log. */
export interface RecordedExit {
  data: JobEventData['TaskExited'];
  time: string;
  seq: number;
}

export interface FaultJob {
  state: TrainingJob;
  /** Stream sequence of the job subject's last commit. */
  version: number;
  /** Latest exit per task (any attempt; compare with the task's attempt). */
  exits: Map<string, RecordedExit>;
  /** Failed pre-check items (W02/W03) per `task/attempt`. */
  precheck: Map<string, { item: string; hardware: boolean; detail: string }[]>;
}

export interface FaultNode {
  state: NodeState;
  version: number;
}

/** Told about what the fold saw, so watchers (hang series, analysis) keep up without re-reading. */
export interface FaultStateListener {
  taskStarted?(jobId: string, task: string, attempt: number, procStartCount: number): void;
  taskExited?(jobId: string, exit: RecordedExit): void;
}

/**
 * The fault manager's picture of the cluster, folded from the whole event log in stream order with
 * the domain's own `evolve` (so it sees exactly what the deciders see), plus what only recovery needs:
 * each task's latest exit, pre-check failures, and every node's recent failures across jobs.
 */
export class FaultState {
  readonly jobs = new Map<string, FaultJob>();
  readonly nodes = new Map<string, FaultNode>();
  readonly faultCases = new Map<string, NodeFaultCase>();
  /** `node/job/task/attempt` of every task reported lost: a node that comes back must stop them. */
  readonly lost = new Set<string>();
  position = 0;

  constructor(
    private readonly crossJob: CrossJobOptions,
    private readonly listener: FaultStateListener = {},
  ) {}

  apply(commit: StoredCommit): void {
    this.position = Math.max(this.position, commit.seq);
    const target = Subjects.parseAggregate(commit.subject);
    if (!target) return;
    if (target.kind === 'job') this.applyJob(target.id, commit);
    else this.applyNode(target.id, commit);
  }

  private applyJob(jobId: string, commit: StoredCommit): void {
    const entry = this.jobs.get(jobId) ?? { state: trainingJobDecider.initialState(), version: 0, exits: new Map(), precheck: new Map() };
    entry.version = commit.seq;
    for (const e of commit.events as JobEvent[]) {
      entry.state = trainingJobDecider.evolve(entry.state, e);
      switch (e.type) {
        case 'TaskStarted':
          this.listener.taskStarted?.(jobId, e.data.task, e.data.attempt, e.data.procStartCount);
          break;
        case 'TaskExited': {
          const exit = { data: e.data, time: e.time, seq: commit.seq };
          entry.exits.set(e.data.task, exit);
          if (e.data.reason === 'lost') this.lost.add(lostKey(e.data.nodeId, jobId, e.data.task, e.data.attempt));
          this.recordOnNode(jobId, exit, entry);
          this.listener.taskExited?.(jobId, exit);
          break;
        }
        case 'TaskPrecheckAbnormal':
        case 'TaskPrecheckError': {
          const key = `${e.data.task}/${e.data.attempt}`;
          entry.precheck.set(key, [...(entry.precheck.get(key) ?? []), { item: e.data.item, hardware: e.data.hardware, detail: e.data.detail }]);
          break;
        }
        default:
          break;
      }
    }
    if (entry.state.status === 'deleted') this.jobs.delete(jobId);
    else this.jobs.set(jobId, entry);
  }

  /** A workload failure counts against its node (the cross-job rule); successes and stops do not. */
  private recordOnNode(jobId: string, exit: RecordedExit, job: FaultJob): void {
    const d = exit.data;
    if (d.reason === 'exited' && d.exitCode === 0) return;
    const fault = classifyExit({ exit: d, precheck: job.precheck.get(`${d.task}/${d.attempt}`) });
    const c = this.faultCases.get(d.nodeId) ?? emptyFaultCase(d.nodeId);
    this.faultCases.set(d.nodeId, recordNodeFailure(c, { jobId, task: d.task, at: exit.time, kind: fault.kind, ...(fault.code !== undefined ? { code: fault.code } : {}) }, this.crossJob));
  }

  private applyNode(nodeId: string, commit: StoredCommit): void {
    const entry = this.nodes.get(nodeId) ?? { state: nodeDecider.initialState(), version: 0 };
    entry.version = commit.seq;
    for (const e of commit.events as NodeEvent[]) entry.state = nodeDecider.evolve(entry.state, e);
    this.nodes.set(nodeId, entry);
  }
}

export const lostKey = (nodeId: string, jobId: string, task: string, attempt: number) => `${nodeId}/${jobId}/${task}/${attempt}`;
