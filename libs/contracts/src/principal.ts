/**
 * Who is calling and what they may do: the vocabulary of `GET /v1/me`, which the web console reads to
 * show only the actions the caller may take. Roles follow issue 11: per project viewer, member and
 * maintainer; cluster-wide operator and admin; `job:setHighPriority` is a grant of its own (L11795-11816).
 * Until that issue lands every request runs as the one local principal, who holds every permission.
 *
 * @example
 * ```ts
 * const me: Principal = await (await fetch('/v1/me')).json();
 * may(me, Permission.JobStop, { project: 'default', createdBy: me.id }); // true for a member of 'default'
 * ```
 */
export const Permission = {
  JobRead: 'job:read',
  JobSubmit: 'job:submit',
  /** Stop any job (of the project, or of every project when held cluster-wide). */
  JobStop: 'job:stop',
  /** Stop the jobs one created. */
  JobStopOwn: 'job:stop:own',
  JobDelete: 'job:delete',
  JobDeleteOwn: 'job:delete:own',
  /** Change the priority of a waiting, undispatched job (1–2; 3 also needs `job:setHighPriority`). */
  JobPriority: 'job:priority',
  JobPriorityOwn: 'job:priority:own',
  JobSetHighPriority: 'job:setHighPriority',
  NodeRead: 'node:read',
  /** cordon, drain, uncordon. */
  NodeOperate: 'node:operate',
  AuditRead: 'audit:read',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const PROJECT_ROLES = ['viewer', 'member', 'maintainer'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];
export const CLUSTER_ROLES = ['operator', 'admin'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

const P = Permission;
const VIEWER: Permission[] = [P.JobRead];
const MEMBER: Permission[] = [...VIEWER, P.JobSubmit, P.JobStopOwn, P.JobDeleteOwn, P.JobPriorityOwn];
const MAINTAINER: Permission[] = [...MEMBER, P.JobStop, P.JobDelete, P.JobPriority];

/** What each role grants. A project role's permissions hold for that project's jobs only. */
export const ROLE_PERMISSIONS: Readonly<Record<ProjectRole | ClusterRole, readonly Permission[]>> = {
  viewer: VIEWER,
  member: MEMBER,
  maintainer: MAINTAINER,
  operator: [...MAINTAINER, P.NodeRead, P.NodeOperate],
  admin: [P.JobRead, P.NodeRead, P.AuditRead],
};

/** The project every job belongs to until projects exist (issue 11). */
export const DEFAULT_PROJECT = 'default';

export interface ProjectGrant {
  id: string;
  role: ProjectRole;
  /** What the role grants in this project. */
  permissions: string[];
}

/** The answer of `GET /v1/me`. */
export interface Principal {
  /** e.g. `user:local` */
  id: string;
  /** Cluster-wide roles. */
  roles: ClusterRole[];
  /** Cluster-wide permissions: they hold for every project's jobs. */
  permissions: string[];
  /** Projects the principal can read, with its role in each. */
  projects: ProjectGrant[];
}

/** A job as far as permissions care: its project and who created it. */
export interface JobScope {
  project: string;
  createdBy: string;
}

/**
 * Whether `principal` may do `permission`, on `job` when the permission is about a job. A job
 * permission `x` is also granted by `x:own` on the jobs the principal created, and by project grants
 * for the jobs of that project.
 */
export function may(principal: Principal, permission: Permission, job?: JobScope): boolean {
  const held = new Set(principal.permissions);
  if (job) for (const p of principal.projects) if (p.id === job.project) for (const x of p.permissions) held.add(x);
  if (held.has(permission)) return true;
  return job !== undefined && job.createdBy === principal.id && held.has(`${permission}:own`);
}

/** The permissions of a set of roles, each once, in vocabulary order. */
export function permissionsOf(roles: readonly (ProjectRole | ClusterRole)[], extra: readonly string[] = []): string[] {
  const granted = new Set<string>([...roles.flatMap((r) => ROLE_PERMISSIONS[r]), ...extra]);
  const known = Object.values(Permission) as string[];
  return [...known.filter((p) => granted.has(p)), ...[...granted].filter((p) => !known.includes(p)).sort()];
}
