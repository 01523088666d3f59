import {
  getJob, listJobEvents, listJobs, listNodeAvailability, listNodes, listPools, verifyProjections,
  type DatabaseHandle, type JobState, type Projector,
} from '@trainyard/db';
import type { EventLog } from '@trainyard/event-log';
import type { ReadModel } from './read-model';

/** The API's read port over the PostgreSQL (or PGlite) projections of libs/db. */
export class DbReadModel implements ReadModel {
  constructor(
    private readonly handle: DatabaseHandle,
    private readonly projector: Pick<Projector, 'waitFor'>,
    private readonly eventLog: EventLog,
  ) {}

  listJobs(q: { state?: string; limit: number; offset: number }) {
    return listJobs(this.handle.db, { state: q.state as JobState | undefined, limit: q.limit, offset: q.offset });
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

  verify() {
    return verifyProjections(this.handle.db, this.handle.schema, this.eventLog);
  }
}
