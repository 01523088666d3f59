import {
  deadLetterSummary, getDeadLetter, getJob, listDeadLetters, listJobAudit, listJobChanges, listJobEvents, listJobs, listNodeAvailability, listNodes, listPools,
  resolveDeadLetter, retryDeadLetter, verifyProjections, type DatabaseHandle, type JobState, type ListDeadLettersQuery, type ListJobsQuery, type Projector,
} from '@trainyard/db';
import { Subjects } from '@trainyard/contracts';
import type { EventLog } from '@trainyard/event-log';
import { type AuditEntry, type AuditQuery, nodeAuditEntries } from './audit/audit-entry';
import type { ReadModel } from './read-model';

/** The API's read port over the PostgreSQL (or PGlite) projections of libs/db. */
export class DbReadModel implements ReadModel {
  constructor(
    private readonly handle: DatabaseHandle,
    private readonly projector: Pick<Projector, 'waitFor' | 'position' | 'health'>,
    private readonly eventLog: EventLog,
  ) {}

  listJobs(q: Omit<ListJobsQuery, 'state'> & { state?: string }) {
    return listJobs(this.handle.db, { ...q, state: q.state as JobState | undefined });
  }

  jobChanges(afterSeq: number, limit: number) {
    return listJobChanges(this.handle.db, afterSeq, limit);
  }

  /** Job commits from the read model; node commits from each node's history in the log (nodes are few). */
  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const jobs = q.nodeId ? [] : (await listJobAudit(this.handle.db, q)).map(({ jobId, ...e }) => ({ ...e, target: { kind: 'job' as const, id: jobId } }));
    const nodeIds = q.jobId ? [] : q.nodeId ? [q.nodeId] : (await listNodes(this.handle.db)).map((n) => n.id);
    const nodes = (await Promise.all(nodeIds.map((id) => this.eventLog.read(Subjects.node(id))))).flatMap((h) => nodeAuditEntries(h.commits, q));
    return [...jobs, ...nodes].sort((a, b) => b.seq - a.seq).slice(0, q.limit);
  }

  async getJob(id: string) {
    const job = await getJob(this.handle.db, id);
    if (!job) return undefined;
    const { lastSeq: _internal, ...view } = job;
    return view;
  }

  listJobEvents(jobId: string) {
    return listJobEvents(this.handle.db, jobId);
  }

  async listNodes() {
    const [nodes, availability] = await Promise.all([listNodes(this.handle.db), listNodeAvailability(this.handle.db)]);
    const byId = new Map(availability.map((a) => [a.id, a]));
    return nodes.map((n) => ({ ...n, availability: byId.get(n.id)?.availability ?? null, isolation: byId.get(n.id)?.isolation ?? null }));
  }

  listPools() {
    return listPools(this.handle.db);
  }

  waitFor(seq: number, timeoutMs: number) {
    return this.projector.waitFor(seq, timeoutMs);
  }

  position() {
    return this.projector.position();
  }

  verify() {
    return verifyProjections(this.handle.db, this.handle.schema, this.eventLog);
  }

  async health() {
    return { projection: this.projector.health(), quarantine: await deadLetterSummary(this.handle.db) };
  }

  listDeadLetters(q: ListDeadLettersQuery) {
    return listDeadLetters(this.handle.db, q);
  }

  retryDeadLetter(id: number) {
    return retryDeadLetter(this.handle.db, id, { eventLog: this.eventLog });
  }

  async dismissDeadLetter(id: number, resolution: string) {
    if (!(await getDeadLetter(this.handle.db, id))) return false;
    await resolveDeadLetter(this.handle.db, id, 'dismissed', resolution);
    return true;
  }
}
