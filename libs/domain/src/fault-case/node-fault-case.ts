import type { FaultKind } from '@trainyard/contracts';

/** One failed task on a node. */
export interface NodeFailure {
  jobId: string;
  task: string;
  at: string;
  kind: FaultKind;
  /** The fault's signature (`launch-failed`, `exit 1`, `SIGKILL`…). */
  code?: string;
}

/**
 * A node's recent task failures across jobs: the evidence that a node which reports healthy is not
 * (tasks of different jobs keep failing on it). A pure fold; the fault manager keeps one per node.
 *
 * @example
 * ```ts
 * let c = emptyFaultCase('gpu-07');
 * c = recordNodeFailure(c, { jobId: 'j1', task: 'worker-0', at, kind: 'process-killed' }, options);
 * crossJobVerdict(c, at, options) // { isolate: false, jobs: ['j1'] }
 * ```
 */
export interface NodeFaultCase {
  nodeId: string;
  failures: NodeFailure[];
}

export interface CrossJobOptions {
  /** Failures older than this are forgotten. */
  windowMs: number;
  /** Distinct jobs failing on the node within the window that isolate it. */
  distinctJobs: number;
}

export const DEFAULT_CROSS_JOB: CrossJobOptions = { windowMs: 30 * 60_000, distinctJobs: 3 };

/**
 * Failures that say something about the node rather than the job (issue 9), the only evidence the
 * cross-job rule counts: pre-check items that failed on the node (W02/W03), device faults (hardware,
 * self-healable), processes killed by a signal nobody on the platform sent (the kernel's OOM killer, a
 * segfault, a stray `kill`; the platform's own stops are `stopped` exits and never reach here), and
 * launches the agent itself could not carry out (`launch-failed`: a runtime missing, a spawn failure).
 * Never counted: the job's own faults — a script's non-zero exit, a user error (missing code dir, boot
 * file, image or working dir, a command not found) and user-induced device codes — nor evictions;
 * losses and drains have their own handling. A node is thus never isolated by bad submissions.
 */
export function countsAgainstNode(f: Pick<NodeFailure, 'kind' | 'code'>): boolean {
  switch (f.kind) {
    case 'process-killed':
    case 'hardware':
    case 'self-healable':
    case 'preflight-hardware':
    case 'preflight-environment':
      return true;
    case 'non-zero-exit':
      return f.code === 'launch-failed';
    case 'user-error':
    case 'user-induced':
    case 'evicted':
    case 'node-lost':
    case 'node-drained':
    case 'hang':
      return false;
    default: {
      const _exhaustive: never = f.kind;
      return _exhaustive;
    }
  }
}

export const emptyFaultCase = (nodeId: string): NodeFaultCase => ({ nodeId, failures: [] });

/** Adds a failure (if it counts) and forgets those older than the window. */
export function recordNodeFailure(c: NodeFaultCase, f: NodeFailure, o: CrossJobOptions = DEFAULT_CROSS_JOB): NodeFaultCase {
  const since = Date.parse(f.at) - o.windowMs;
  const kept = c.failures.filter((x) => Date.parse(x.at) >= since);
  return { ...c, failures: countsAgainstNode(f) ? [...kept, f] : kept };
}

/** Whether the node should be isolated: tasks of `distinctJobs` different jobs failed there within the window. */
export function crossJobVerdict(c: NodeFaultCase, now: string, o: CrossJobOptions = DEFAULT_CROSS_JOB): { isolate: boolean; jobs: string[]; detail: string } {
  const since = Date.parse(now) - o.windowMs;
  const jobs = [...new Set(c.failures.filter((f) => Date.parse(f.at) >= since).map((f) => f.jobId))].sort();
  const minutes = Math.round(o.windowMs / 60_000);
  return {
    isolate: jobs.length >= o.distinctJobs,
    jobs,
    detail: `tasks of ${jobs.length} different jobs failed on ${c.nodeId} within ${minutes} min (${jobs.join(', ')})`,
  };
}
