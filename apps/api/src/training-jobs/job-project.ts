import { DEFAULT_PROJECT, type JobScope, type Principal } from '@trainyard/contracts';

/** What permissions care about for a job: its project (`metadata.project`, `default`) and who created it. */
export function jobScope(job: { project?: string; createdBy: string }): JobScope {
  return { project: job.project || DEFAULT_PROJECT, createdBy: job.createdBy };
}

/**
 * The projects whose jobs `principal` may read, or undefined for all of them (`job:read` held
 * cluster-wide: operators and admins).
 */
export function readableProjects(principal: Principal): string[] | undefined {
  if (principal.permissions.includes('job:read')) return undefined;
  return principal.projects.filter((p) => p.permissions.includes('job:read')).map((p) => p.id);
}
