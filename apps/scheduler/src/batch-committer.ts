import { fnv1a32, Subjects, type CommitMeta, type DomainEvent, type JobEvent, type NodeEvent } from '@trainyard/contracts';
import { nodeDecider, trainingJobDecider, type NodeCommand } from '@trainyard/domain';
import { StreamVersionConflict, type EventLog } from '@trainyard/event-log';
import type { ClusterState } from './cluster-state';
import { jobOfWork, type NodeWork } from './follow-up-actions';
import type { JobAction } from './job-actions';
import type { JobTraceContexts } from './job-trace-contexts';

/** Outcome of one batch: the highest sequence committed, and how many commits failed and why. */
export interface BatchResult {
  last: number;
  committed: number;
  /** Commits with a command id already stored (a retry): nothing new was written. */
  duplicates: number;
  conflicts: number;
  rejected: { subject: string; reason: string }[];
  failed: { subject: string; error: Error }[];
}

/**
 * Commits a pass's decisions without reading any subject: each command is decided against the
 * scheduler's in-memory state and appended with that aggregate's version as the expected sequence,
 * every subject in parallel (pipelined appends). A stale picture — another writer, or a deposed
 * leader's late write — fails with a version conflict and is simply decided again next pass, once
 * the log has caught up. Work on one node travels as one commit (many events per commit).
 */
export class BatchCommitter {
  constructor(
    private readonly log: EventLog,
    private readonly state: ClusterState,
    /** Checked right before appending: a replica that lost its lease commits nothing. */
    private readonly mayCommit: () => boolean = () => true,
    /** Each commit gets a span under its job's trace, and carries it in its meta (decision 11). */
    private readonly traces?: JobTraceContexts,
  ) {}

  /** One commit per job action (at most one action per job). */
  async jobs(actions: readonly JobAction[]): Promise<BatchResult> {
    const result = emptyResult();
    const appends: Promise<void>[] = [];
    for (const a of actions) {
      const entry = this.state.jobs.get(a.jobId);
      if (!entry) continue;
      const decision = trainingJobDecider.decide(a.command, entry.state);
      if (!decision.ok) {
        result.rejected.push({ subject: Subjects.job(a.jobId), reason: `${a.command.type}: ${decision.rejection.reason} (${decision.rejection.message})` });
        continue;
      }
      if (decision.events.length === 0) continue;
      const span = this.traces?.span(a.jobId, `scheduler ${a.command.type}`);
      appends.push(this.append(Subjects.job(a.jobId), decision.events, meta(a.commandId, span?.traceparent), entry.version, result).finally(() => span?.end()));
    }
    await Promise.all(appends);
    return result;
  }

  /** Assignments, stop requests and releases, grouped per node: one commit per node. */
  async nodes(actions: readonly NodeWork[], defaultGraceMs: number, now: Date): Promise<BatchResult> {
    const result = emptyResult();
    const byNode = new Map<string, NodeWork[]>();
    for (const a of actions) byNode.set(a.nodeId, [...(byNode.get(a.nodeId) ?? []), a]);
    const appends: Promise<void>[] = [];
    const metadata = { now: now.toISOString() };
    for (const [nodeId, group] of byNode) {
      const entry = this.state.nodes.get(nodeId);
      if (!entry) continue;
      let state = entry.state;
      const events: NodeEvent[] = [];
      for (const a of group) {
        const command = nodeCommandOf(a, defaultGraceMs, metadata);
        const decision = nodeDecider.decide(command, state);
        if (!decision.ok) {
          result.rejected.push({ subject: Subjects.node(nodeId), reason: `${command.type}: ${decision.rejection.reason} (${decision.rejection.message})` });
          continue;
        }
        for (const e of decision.events) state = nodeDecider.evolve(state, e);
        events.push(...decision.events);
      }
      if (events.length === 0) continue;
      // Deterministic id: the same node version and work give the same id, so a retry is stored once;
      // other work decided on the same version gets another id and meets the expected sequence.
      const commandId = `node-work/${nodeId}/${entry.version}/${fingerprint(group)}`;
      // One commit may carry several jobs' work: it continues the trace of the first job in it.
      const first = group.find((a) => a.kind === 'assign') ?? group[0]!;
      const span = this.traces?.span(jobOfWork(first), 'scheduler node work', { 'trainyard.node_id': nodeId, 'trainyard.tasks': group.length });
      appends.push(this.append(Subjects.node(nodeId), events, meta(commandId, span?.traceparent), entry.version, result).finally(() => span?.end()));
    }
    await Promise.all(appends);
    return result;
  }

  private async append(subject: string, events: (JobEvent | NodeEvent)[], m: CommitMeta, expected: number, result: BatchResult): Promise<void> {
    if (!this.mayCommit()) return;
    try {
      const { seq, duplicate } = await this.log.append(subject, events as DomainEvent[], m, expected);
      result.last = Math.max(result.last, seq);
      if (duplicate) result.duplicates++;
      else result.committed++;
    } catch (err) {
      if (err instanceof StreamVersionConflict) result.conflicts++;
      else result.failed.push({ subject, error: err as Error });
    }
  }
}

function nodeCommandOf(a: NodeWork, defaultGraceMs: number, metadata: { now: string }): NodeCommand {
  switch (a.kind) {
    case 'assign':
      return { type: 'AssignTask', data: { assignment: a.assignment }, metadata };
    case 'stop':
      return { type: 'RequestTaskStop', data: { jobId: a.jobId, task: a.task, attempt: a.attempt, graceMs: a.graceMs ?? defaultGraceMs, reason: a.reason, ...(a.preemption ? { preemption: a.preemption } : {}) }, metadata };
    case 'release':
      return { type: 'ReleaseTask', data: { jobId: a.jobId, task: a.task, attempt: a.attempt }, metadata };
  }
}

/** FNV-1a of the work's keys, in hex: short, stable across processes. */
const fingerprint = (group: readonly NodeWork[]): string => fnv1a32(group.map((a) => a.commandId).join('|')).toString(16);

const meta = (commandId: string, traceparent?: string): CommitMeta => ({ commandId, correlationId: commandId, actor: 'scheduler', ...(traceparent ? { traceparent } : {}) });
const emptyResult = (): BatchResult => ({ last: 0, committed: 0, duplicates: 0, conflicts: 0, rejected: [], failed: [] });
