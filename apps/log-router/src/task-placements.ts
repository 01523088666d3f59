import { Subjects } from '@trainyard/contracts';
import type { EventLog } from '@trainyard/event-log';

/**
 * Which nodes each task of a job was ever placed on, read from the job's own history (placements of
 * every attempt, pod moves, starts): what tells a node's lines for its task from a forged batch. A
 * placement is committed before the assignment that makes an agent run the task, so lines never
 * come before it; a miss re-reads the job once, in case the cache predates a later placement.
 */
export class TaskPlacements {
  private readonly jobs = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly log: Pick<EventLog, 'read'>,
    /** Jobs kept in the cache (least recently used go first). */
    private readonly maxJobs = 10_000,
  ) {}

  async placed(jobId: string, task: string, nodeId: string): Promise<boolean> {
    const cached = this.jobs.get(jobId);
    if (cached?.get(task)?.has(nodeId)) {
      this.jobs.delete(jobId);
      this.jobs.set(jobId, cached);
      return true;
    }
    const fresh = await this.read(jobId);
    return fresh.get(task)?.has(nodeId) ?? false;
  }

  private async read(jobId: string): Promise<Map<string, Set<string>>> {
    const { commits } = await this.log.read(Subjects.job(jobId));
    const byTask = new Map<string, Set<string>>();
    const add = (task: unknown, nodeId: unknown) => {
      if (typeof task !== 'string' || typeof nodeId !== 'string') return;
      byTask.set(task, (byTask.get(task) ?? new Set()).add(nodeId));
    };
    for (const e of commits.flatMap((c) => c.events)) {
      const data = e.data as { placements?: { task: unknown; nodeId: unknown }[]; task?: unknown; nodeId?: unknown };
      for (const p of Array.isArray(data.placements) ? data.placements : []) add(p.task, p.nodeId);
      add(data.task, data.nodeId);
    }
    this.jobs.delete(jobId);
    this.jobs.set(jobId, byTask);
    if (this.jobs.size > this.maxJobs) this.jobs.delete(this.jobs.keys().next().value!);
    return byTask;
  }
}
