import {
  type ClusterRole,
  type Grant,
  type IdentityEvent,
  PROJECT_GRANTS,
  permissionsOf,
  type Principal,
  type ProjectGrant,
  type ProjectRole,
  type QuotaConfig,
} from '@trainyard/contracts';
import type { JoinTokenRecord } from './join-token';

/**
 * Who may do what, folded from the `ty.ev.iam.` aggregates (issue 11): tokens, projects with their
 * role bindings, and the cluster-wide bindings. Pure: the API folds it in memory and asks it for a
 * principal on every request.
 */
export interface TokenRecord {
  tokenId: string;
  secretSha256: string;
  subject: string;
  grants: Grant[];
  project?: string;
  expiresAt?: string;
  description?: string;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
}

export interface ProjectRecord {
  id: string;
  description?: string;
  createdAt: string;
  createdBy: string;
  /** subject → grants held in this project. */
  bindings: Map<string, Set<Grant>>;
  /** pool → the project's quota there (issue 16). */
  quotas: Map<string, QuotaRecord>;
}

/** A project's quota in one pool, as last set. */
export interface QuotaRecord extends QuotaConfig {
  pool: string;
  setAt: string;
  setBy: string;
}

export interface IdentityState {
  tokens: Map<string, TokenRecord>;
  projects: Map<string, ProjectRecord>;
  /** subject → cluster-wide grants. */
  cluster: Map<string, Set<Grant>>;
  /** Node join tokens (issue 12), by token id. */
  joinTokens: Map<string, JoinTokenRecord>;
}

export const initialIdentity = (): IdentityState => ({ tokens: new Map(), projects: new Map(), cluster: new Map(), joinTokens: new Map() });

/** Which aggregate a `ty.ev.iam.` subject names. */
export function parseIdentitySubject(subject: string): { kind: 'token' | 'project' | 'join'; id: string } | { kind: 'cluster' } | undefined {
  if (subject === 'ty.ev.iam.cluster') return { kind: 'cluster' };
  const m = /^ty\.ev\.iam\.(token|project|join)\.([^.]+)$/.exec(subject);
  return m ? { kind: m[1] as 'token' | 'project' | 'join', id: m[2] } : undefined;
}

/** Applies one event of the aggregate at `subject` (mutates `state`: the fold runs on every commit). */
export function evolveIdentity(state: IdentityState, subject: string, e: IdentityEvent): IdentityState {
  const at = parseIdentitySubject(subject);
  if (!at) return state;
  switch (e.type) {
    case 'TokenCreated': {
      const d = e.data;
      state.tokens.set(d.tokenId, {
        tokenId: d.tokenId, secretSha256: d.secretSha256, subject: d.subject, grants: [...d.grants],
        ...(d.project ? { project: d.project } : {}), ...(d.expiresAt ? { expiresAt: d.expiresAt } : {}),
        ...(d.description ? { description: d.description } : {}), createdAt: e.time, createdBy: d.by,
      });
      return state;
    }
    case 'TokenRevoked': {
      const t = state.tokens.get(e.data.tokenId);
      if (t && !t.revokedAt) t.revokedAt = e.time;
      return state;
    }
    case 'ProjectCreated':
      if (!state.projects.has(e.data.projectId)) {
        state.projects.set(e.data.projectId, { id: e.data.projectId, ...(e.data.description ? { description: e.data.description } : {}), createdAt: e.time, createdBy: e.data.by, bindings: new Map(), quotas: new Map() });
      }
      return state;
    case 'QuotaSet':
    case 'QuotaRemoved': {
      const project = at.kind === 'project' ? state.projects.get(at.id) : undefined;
      if (!project) return state;
      if (e.type === 'QuotaSet') project.quotas.set(e.data.pool, { ...e.data.quota, pool: e.data.pool, setAt: e.time, setBy: e.data.by });
      else project.quotas.delete(e.data.pool);
      return state;
    }
    case 'NodeJoinTokenIssued': {
      const d = e.data;
      if (!state.joinTokens.has(d.tokenId)) state.joinTokens.set(d.tokenId, { tokenId: d.tokenId, secretSha256: d.secretSha256, nodeId: d.nodeId, expiresAt: d.expiresAt, issuedAt: e.time, issuedBy: d.by });
      return state;
    }
    case 'NodeJoinTokenRedeemed': {
      const t = state.joinTokens.get(e.data.tokenId);
      if (t && !t.redeemedAt) t.redeemedAt = e.time;
      return state;
    }
    case 'RoleBound':
    case 'RoleUnbound': {
      const bindings = at.kind === 'cluster' ? state.cluster : at.kind === 'project' ? state.projects.get(at.id)?.bindings : undefined;
      if (!bindings) return state;
      const held = bindings.get(e.data.subject) ?? new Set<Grant>();
      if (e.type === 'RoleBound') held.add(e.data.grant);
      else held.delete(e.data.grant);
      if (held.size) bindings.set(e.data.subject, held);
      else bindings.delete(e.data.subject);
      return state;
    }
  }
}

/** Why a presented token does not authenticate (all answer 401; the reason is for logs and metrics). */
export type TokenRefusal = 'unknown' | 'expired' | 'revoked';

/** The token `tokenId` if it may be used at `now` (the secret is the caller's to compare). */
export function usableToken(state: IdentityState, tokenId: string, now: Date): { ok: true; token: TokenRecord } | { ok: false; reason: TokenRefusal } {
  const token = state.tokens.get(tokenId);
  if (!token) return { ok: false, reason: 'unknown' };
  if (token.revokedAt) return { ok: false, reason: 'revoked' };
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, token };
}

const RANK: Record<ProjectRole, number> = { viewer: 0, member: 1, maintainer: 2 };

/**
 * The principal of `subject` (with its OIDC `groups`, and the token it signed in with): the union of
 * the token's own grants and every binding that names the subject or one of its groups. A project
 * role is the highest one held there; projects that no longer exist grant nothing.
 *
 * @example
 * ```ts
 * principalOf(state, { subject: 'user:ada', groups: ['group:ml'] })
 * // { id: 'user:ada', roles: [], permissions: [], projects: [{ id: 'vision', role: 'member', permissions: [...] }], groups: ['group:ml'] }
 * ```
 */
export function principalOf(state: IdentityState, who: { subject: string; groups?: readonly string[]; token?: TokenRecord }): Principal {
  const names = [who.subject, ...(who.groups ?? [])];
  const clusterGrants = new Set<Grant>();
  const projectRole = new Map<string, ProjectRole>();
  const hold = (project: string, role: ProjectRole) => {
    if (!state.projects.has(project)) return;
    const had = projectRole.get(project);
    if (had === undefined || RANK[role] > RANK[had]) projectRole.set(project, role);
  };
  const take = (grant: Grant, project?: string) => {
    if (PROJECT_GRANTS.includes(grant)) {
      if (project) hold(project, grant as ProjectRole);
    } else clusterGrants.add(grant);
  };
  if (who.token) for (const g of who.token.grants) take(g, who.token.project);
  for (const n of names) for (const g of state.cluster.get(n) ?? []) take(g);
  for (const p of state.projects.values()) for (const n of names) for (const g of p.bindings.get(n) ?? []) take(g, p.id);

  const roles = (['operator', 'admin'] as const).filter((r) => clusterGrants.has(r)) as ClusterRole[];
  const extra = clusterGrants.has('job:setHighPriority') ? ['job:setHighPriority'] : [];
  const projects: ProjectGrant[] = [...projectRole.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, role]) => ({ id, role, permissions: permissionsOf([role]) }));
  return {
    id: who.subject,
    roles,
    permissions: roles.length || extra.length ? permissionsOf(roles, extra) : [],
    projects,
    ...(who.token ? { tokenId: who.token.tokenId } : {}),
    ...(who.groups?.length ? { groups: [...who.groups] } : {}),
  };
}

/** Whether the principal holds any grant at all (a signed-in stranger holds none). */
export const holdsAnything = (p: Principal) => p.roles.length > 0 || p.permissions.length > 0 || p.projects.length > 0;
