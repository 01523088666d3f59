import type { LogBatch } from '@trainyard/contracts';

/**
 * Who sent a TY_LOGS message, as far as the bus can tell: `ty.log.<jobId>.<task>.<nodeId>`. A node
 * agent may publish only under its own node (`ty.log.*.*.<its id>`, bus-permissions.ts), so the last
 * token is the sender; the job and task are the lines' owner. The body must agree with the subject.
 */
export interface LogSender {
  jobId: string;
  task: string;
  nodeId: string;
}

/** The sender named by `subject`, or undefined for a subject of another shape (an old agent's `ty.log.<job>.<task>`). */
export function senderOf(subject: string): LogSender | undefined {
  const parts = subject.split('.');
  if (parts.length !== 5 || parts[0] !== 'ty' || parts[1] !== 'log') return undefined;
  const [, , jobId, task, nodeId] = parts as [string, string, string, string, string];
  return jobId && task && nodeId ? { jobId, task, nodeId } : undefined;
}

/**
 * Why the router must not store `batch` from `subject` (undefined: it may, once the node is one its
 * task was placed on). Checked before any line is stored: a node's agent writes its own tasks' lines
 * only, never another job's, never another node's.
 */
export function senderRefusal(subject: string, batch: Pick<LogBatch, 'jobId' | 'task'>): string | undefined {
  const sender = senderOf(subject);
  if (!sender) return `subject ${subject} is not ty.log.<job>.<task>.<node>`;
  if (sender.jobId !== batch.jobId || sender.task !== batch.task) {
    return `the batch is for ${batch.jobId}/${batch.task}, its subject for ${sender.jobId}/${sender.task}`;
  }
  return undefined;
}
