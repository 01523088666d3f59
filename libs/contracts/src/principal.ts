/**
 * Who is calling and what they may do: the vocabulary of `GET /v1/me`, which the web console reads to
 * show only the actions the caller may take. Roles follow issue 11: per project viewer, member and
 * maintainer; cluster-wide operator and admin; `job:setHighPriority` is a grant of its own (L11795-11816).
 * The API builds it from a token's grants and the role bindings (`identity-events.ts`).
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
  /** Run a command in a running task of any job (issue 15, `yard exec`). */
  JobExec: 'job:exec',
  /** Run a command in a running task of one's own jobs. */
  JobExecOwn: 'job:exec:own',
  NodeRead: 'node:read',
  /** cordon, drain, uncordon. */
  NodeOperate: 'node:operate',
  AuditRead: 'audit:read',
  /** Create and revoke API tokens (admin). */
  TokenManage: 'token:manage',
  /** Create projects and bind roles (admin). */
  ProjectManage: 'project:manage',
  /** Quarantined messages, projection checks (operator, admin). */
  SystemManage: 'system:manage',
  /** `/metrics` and the cluster-wide dashboard figures (operator, admin). */
  MetricsRead: 'metrics:read',
  /** Read a project's quotas and their usage (issue 16): every role of the project, operators, admins. */
  QuotaRead: 'quota:read',
  /** Set and remove quotas (operator, admin). */
  QuotaManage: 'quota:manage',
  /** Add and remove any webhook subscription of the project (issue 15): maintainers, operators. */
  NotificationManage: 'notification:manage',
  /** Add subscriptions, and remove one's own (members). */
  NotificationManageOwn: 'notification:manage:own',
  /** Read a project's hyperparameter searches (issue 15): every role of the project. */
  SearchRead: 'search:read',
  /** Create a search (members; its trials are submitted as the creator, who needs `job:submit` too). */
  SearchCreate: 'search:create',
  /** Stop any search of the project (maintainers, operators). */
  SearchStop: 'search:stop',
  /** Stop the searches one created (members). */
  SearchStopOwn: 'search:stop:own',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const PROJECT_ROLES = ['viewer', 'member', 'maintainer'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];
export const CLUSTER_ROLES = ['operator', 'admin'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

const P = Permission;
const VIEWER: Permission[] = [P.JobRead, P.QuotaRead, P.SearchRead];
const MEMBER: Permission[] = [...VIEWER, P.JobSubmit, P.JobStopOwn, P.JobDeleteOwn, P.JobPriorityOwn, P.NotificationManageOwn, P.JobExecOwn, P.SearchCreate, P.SearchStopOwn];
const ANY_JOB: Permission[] = [...MEMBER, P.JobStop, P.JobDelete, P.JobPriority, P.NotificationManage, P.JobExec, P.SearchStop];
/** A maintainer also reads its project's audit (issue 11); an operator acts on any job but reads no audit. */
const MAINTAINER: Permission[] = [...ANY_JOB, P.AuditRead];

/** What each role grants. A project role's permissions hold for that project's jobs only. */
export const ROLE_PERMISSIONS: Readonly<Record<ProjectRole | ClusterRole, readonly Permission[]>> = {
  viewer: VIEWER,
  member: MEMBER,
  maintainer: MAINTAINER,
  operator: [...ANY_JOB, P.NodeRead, P.NodeOperate, P.SystemManage, P.MetricsRead, P.QuotaManage],
  admin: [P.JobRead, P.QuotaRead, P.SearchRead, P.NodeRead, P.AuditRead, P.TokenManage, P.ProjectManage, P.SystemManage, P.MetricsRead, P.QuotaManage],
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
  /** The API token it signed in with, if any (never its secret). */
  tokenId?: string;
  /** Groups from the OIDC claims (`group:<name>`), when it signed in with a JWT. */
  groups?: string[];
}

/**
 * What `principal` may do on the jobs of `project`: its cluster-wide permissions and those of its
 * role there (what a command about such a job carries as the caller's permissions).
 */
export function permissionsIn(principal: Principal, project: string): string[] {
  const grant = principal.projects.find((p) => p.id === project);
  return [...new Set([...principal.permissions, ...(grant?.permissions ?? [])])];
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
