import { DEFAULT_PROJECT } from '@trainyard/contracts';

/**
 * A job as the API serves it, with its project. Until issue 11 gives jobs projects every job is in
 * the one project `default` (what `GET /v1/me` lists), so a filter on another project matches nothing.
 */
export function withProject<T extends object>(job: T): T & { project: string } {
  return { ...job, project: DEFAULT_PROJECT };
}

/** Whether jobs of `project` can exist today (see {@link withProject}). */
export const projectExists = (project: string) => project === DEFAULT_PROJECT;
