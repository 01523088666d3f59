import {
  deadLetterSummary, getDeadLetter, listIndexedEvents, type EventQuery, getJob, listDeadLetters, listExperiments, listJobAudit, listJobChanges, listJobEvents, listJobs, listNodeAvailability, listNodes, listPools,
  resolveDeadLetter, retryDeadLetter, storeSubscriptionSecret, deleteSubscriptionSecret, listDeliveries, verifyProjections, type DatabaseHandle, type JobState, type ListDeadLettersQuery, type ListJobsQuery, type Projector,
} from '@trainyard/db';
import { type CommitMeta, Subjects } from '@trainyard/contracts';
import type { EventLog } from '@trainyard/event-log';
import { auditFields, type AuditEntry, type AuditQuery, nodeAuditEntries } from './audit/audit-entry';
import type { ReadModel } from './read-model';
import { DbHistory } from './history/db-history';
import type { NotificationStore } from './notifications/notification-store';

/** The API's read port over the PostgreSQL (or PGlite) projections of libs/db. */
export class DbReadModel implements ReadModel {
  #history?: DbHistory;

  notificationStore(): NotificationStore {
    const db = this.handle.db;
    return {
      storeSecret: (id, secret) => storeSubscriptionSecret(db, id, secret),
      deleteSecret: (id) => deleteSubscriptionSecret(db, id),
      listDeliveries: (q) => listDeliveries(db, q),
    };
  }

  constructor(
    private readonly handle: DatabaseHandle,
    private readonly projector: Pick<Projector, 'waitFor' | 'position' | 'health'>,
    private readonly eventLog: EventLog,
  ) {}

  listJobs(q: Omit<ListJobsQuery, 'state'> & { state?: string | readonly string[] }) {
    return listJobs(this.handle.db, { ...q, state: q.state as JobState | readonly JobState[] | undefined });
  }

  listExperiments(q: { projects?: readonly string[]; limit: number }) {
    return listExperiments(this.handle.db, q);
  }

  jobChanges(afterSeq: number, limit: number) {
    return listJobChanges(this.handle.db, afterSeq, limit);
  }

  /** Job commits from the read model; node commits from each node's history in the log (nodes are few). */
  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const rows = q.nodeId ? [] : await listJobAudit(this.handle.db, q);
    // Token, address and user agent are in the commits' metadata: read from the log, one history per job listed.
    const metas = new Map<number, CommitMeta>();
    for (const history of await Promise.all([...new Set(rows.map((r) => r.jobId))].map((id) => this.eventLog.read(Subjects.job(id))))) {
      for (const c of history.commits) metas.set(c.seq, c.meta);
    }
    const jobs = rows.map(({ jobId, ...e }) => ({ ...e, target: { kind: 'job' as const, id: jobId }, ...(metas.has(e.seq) ? auditFields(metas.get(e.seq)!) : {}) }));
    // A project holds jobs, not nodes: a project's audit has no node entries.
    const nodeIds = q.jobId || q.projects ? [] : q.nodeId ? [q.nodeId] : (await listNodes(this.handle.db)).map((n) => n.id);
    const nodes = (await Promise.all(nodeIds.map((id) => this.eventLog.read(Subjects.node(id))))).flatMap((h) => nodeAuditEntries(h.commits, q));
    return [...jobs, ...nodes].sort((a, b) => b.seq - a.seq).slice(0, q.limit);
  }

  async getJob(id: string) {
    const job = await getJob(this.handle.db, id);
    if (!job) return undefined;
    const { lastSeq: _internal, ...view } = job;
    return view;
  }

  history(): DbHistory {
    return (this.#history ??= new DbHistory(this.handle, this.eventLog, () => this.projector.position()));
  }

  listEvents(q: EventQuery) {
    return listIndexedEvents(this.handle.db, q);
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
