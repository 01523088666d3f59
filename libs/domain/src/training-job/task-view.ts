import type { JobEvent } from '@trainyard/contracts';
import type { JobStatus } from './job-status';
import { findTask, type TaskStatus, type TrainingJob } from './training-job';

/**
 * What a node agent may learn about one task of a job before it launches it: the job's status and
 * the task's latest attempt — not the job's history, which holds every other task's assignment. The
 * control plane's report intake folds the job and answers this (a locked bus gives agents no read
 * of job subjects).
 */
export interface TaskView {
  jobStatus: JobStatus;
  task?: { attempt: number; status: TaskStatus; nodeId?: string };
}

export function taskView(job: TrainingJob, taskName: string): TaskView {
  if (job.status === 'none') return { jobStatus: 'none' };
  const t = findTask(job, taskName);
  return { jobStatus: job.status, ...(t ? { task: { attempt: t.attempt, status: t.status, ...(t.nodeId ? { nodeId: t.nodeId } : {}) } } : {}) };
}

/**
 * Whether the job's history ever placed `task` on `nodeId` (a schedule, or a pod moved there). The
 * intake answers a node's question about a task only then: a node asking about any other job's task
 * learns nothing, not even that the job exists.
 */
export function placedOn(events: readonly JobEvent[], task: string, nodeId: string): boolean {
  return events.some(
    (e) => (e.type === 'JobScheduled' || e.type === 'JobRestarted') && (e.data.placements ?? []).some((p) => p.task === task && p.nodeId === nodeId),
  );
}
