import { ErrorCode, event, FieldCode, type Grant, type IdentityEvent, type IdentityEventData, limitBelowGuarantee, PROJECT_GRANTS, type QuotaConfig } from '@trainyard/contracts';
import { accept, reject, type Command, type Decision } from '../decider';
import type { IdentityState } from './identity';
import { joinVerdict } from './join-token';

/** Commands on the identity aggregates; shapes are checked by the API, rules here. */
export type CreateToken = Command<'CreateToken', Omit<IdentityEventData['TokenCreated'], 'expiresAt'> & { expiresAt?: string }>;
export type RevokeToken = Command<'RevokeToken', IdentityEventData['TokenRevoked']>;
export type CreateProject = Command<'CreateProject', IdentityEventData['ProjectCreated']>;
/** Without `project`: a cluster-wide grant (operator, admin, `job:setHighPriority`). */
export type BindRole = Command<'BindRole', IdentityEventData['RoleBound'] & { project?: string }>;
export type UnbindRole = Command<'UnbindRole', IdentityEventData['RoleUnbound'] & { project?: string }>;
/** The project's quota in a pool (issue 16); on the project's aggregate. */
export type SetQuota = Command<'SetQuota', { project: string } & IdentityEventData['QuotaSet']>;
export type RemoveQuota = Command<'RemoveQuota', { project: string } & IdentityEventData['QuotaRemoved']>;
/** Node join tokens (issue 12), on `ty.ev.iam.join.<tokenId>`. */
export type IssueJoinToken = Command<'IssueJoinToken', IdentityEventData['NodeJoinTokenIssued']>;
/** `secretSha256`: of the secret the node presented. */
export type RedeemJoinToken = Command<'RedeemJoinToken', { tokenId: string; secretSha256: string; from?: string }>;
export type IdentityCommand = CreateToken | RevokeToken | CreateProject | BindRole | UnbindRole | SetQuota | RemoveQuota | IssueJoinToken | RedeemJoinToken;

export type IdentityRejection = 'UnknownProject' | 'ProjectExists' | 'GrantNeedsProject' | 'GrantIsClusterWide' | 'UnknownToken' | 'TokenExists' | 'AlreadyRevoked' | 'NotBound' | 'NoGrants' | 'LimitBelowGuarantee' | 'NoQuota' | 'JoinTokenRefused';

/** Whether `grants` fit the scope: project roles need a project, cluster grants must have none. */
function scopeError(grants: readonly Grant[], project: string | undefined, state: IdentityState): Decision<never, IdentityRejection> | undefined {
  if (!grants.length) return reject(ErrorCode.ValidationFailed, 'NoGrants', 'at least one role is needed', [{ path: 'roles', code: FieldCode.Required, message: 'at least one role' }]);
  const projectGrants = grants.filter((g) => PROJECT_GRANTS.includes(g));
  if (projectGrants.length && !project) {
    return reject(ErrorCode.ValidationFailed, 'GrantNeedsProject', `${projectGrants.join(', ')} hold in a project: name one`, [{ path: 'project', code: FieldCode.Required, message: `${projectGrants[0]} needs a project` }]);
  }
  if (project && !state.projects.has(project)) return reject(ErrorCode.NotFound, 'UnknownProject', `no project ${project}`, [{ path: 'project', code: FieldCode.Unknown, message: `no project ${project}` }]);
  return undefined;
}

/** Two quotas say the same (key order aside). */
function sameQuota(a: QuotaConfig, b: QuotaConfig): boolean {
  const amounts = (x?: Record<string, number>) => JSON.stringify(Object.entries(x ?? {}).sort(([k], [l]) => k.localeCompare(l)));
  return amounts(a.guaranteed) === amounts(b.guaranteed) && amounts(a.limit) === amounts(b.limit) && (a.limit === undefined) === (b.limit === undefined) && a.cohort === b.cohort && a.weight === b.weight;
}

/** Decides an identity command against the folded state (the aggregate's own, read just before). */
export function decideIdentity(command: IdentityCommand, state: IdentityState): Decision<IdentityEvent, IdentityRejection> {
  const now = command.metadata.now;
  switch (command.type) {
    case 'CreateToken': {
      const d = command.data;
      if (state.tokens.has(d.tokenId)) return reject(ErrorCode.Conflict, 'TokenExists', `token ${d.tokenId} exists`);
      const bad = scopeError(d.grants, d.project, state);
      if (bad) return bad;
      return accept<IdentityEvent>(event('TokenCreated', now, { ...d, grants: [...new Set(d.grants)] }));
    }
    case 'RevokeToken': {
      const t = state.tokens.get(command.data.tokenId);
      if (!t) return reject(ErrorCode.NotFound, 'UnknownToken', `no token ${command.data.tokenId}`);
      if (t.revokedAt) return accept<IdentityEvent>(); // revoking twice is a no-op
      return accept<IdentityEvent>(event('TokenRevoked', now, command.data));
    }
    case 'IssueJoinToken':
      if (state.joinTokens.has(command.data.tokenId)) return reject(ErrorCode.Conflict, 'TokenExists', `join token ${command.data.tokenId} exists`);
      return accept<IdentityEvent>(event('NodeJoinTokenIssued', now, command.data));
    case 'RedeemJoinToken': {
      const t = state.joinTokens.get(command.data.tokenId);
      const v = joinVerdict(t, command.data.secretSha256, new Date(now));
      // One answer for every refusal: which part was wrong is for the log, not for the caller.
      if (!v.ok) return reject(ErrorCode.Unauthenticated, 'JoinTokenRefused', `join token refused (${v.reason === 'wrong-secret' ? 'unknown' : v.reason})`, [{ path: 'token', code: FieldCode.Unknown, message: 'not a usable join token' }]);
      return accept<IdentityEvent>(event('NodeJoinTokenRedeemed', now, { tokenId: t!.tokenId, nodeId: t!.nodeId, ...(command.data.from ? { from: command.data.from } : {}) }));
    }
    case 'CreateProject':
      if (state.projects.has(command.data.projectId)) return reject(ErrorCode.Conflict, 'ProjectExists', `project ${command.data.projectId} exists`);
      return accept<IdentityEvent>(event('ProjectCreated', now, command.data));
    case 'SetQuota': {
      const { project, pool, quota, by } = command.data;
      const p = state.projects.get(project);
      if (!p) return reject(ErrorCode.NotFound, 'UnknownProject', `no project ${project}`, [{ path: 'project', code: FieldCode.Unknown, message: `no project ${project}` }]);
      const below = limitBelowGuarantee(quota);
      if (below.length) return reject(ErrorCode.ValidationFailed, 'LimitBelowGuarantee', below.map((b) => b.message).join('; '), below);
      const had = p.quotas.get(pool);
      // Setting what is already set is no event.
      if (had && sameQuota(had, quota)) return accept<IdentityEvent>();
      return accept<IdentityEvent>(event('QuotaSet', now, { pool, quota, by }));
    }
    case 'RemoveQuota': {
      const { project, pool, by } = command.data;
      const p = state.projects.get(project);
      if (!p) return reject(ErrorCode.NotFound, 'UnknownProject', `no project ${project}`, [{ path: 'project', code: FieldCode.Unknown, message: `no project ${project}` }]);
      if (!p.quotas.has(pool)) return reject(ErrorCode.NotFound, 'NoQuota', `project ${project} has no quota in pool ${pool}`, [{ path: 'pool', code: FieldCode.Unknown, message: `no quota in pool ${pool}` }]);
      return accept<IdentityEvent>(event('QuotaRemoved', now, { pool, by }));
    }
    case 'BindRole':
    case 'UnbindRole': {
      const { project, subject, grant, by } = command.data;
      if (project === undefined && PROJECT_GRANTS.includes(grant)) return scopeError([grant], undefined, state)!;
      if (project !== undefined && !PROJECT_GRANTS.includes(grant)) {
        return reject(ErrorCode.ValidationFailed, 'GrantIsClusterWide', `${grant} is cluster-wide: bind it without a project`, [{ path: 'project', code: FieldCode.Forbidden, message: `${grant} is cluster-wide` }]);
      }
      const bad = scopeError([grant], project, state);
      if (bad) return bad;
      const held = (project ? state.projects.get(project)!.bindings : state.cluster).get(subject)?.has(grant) ?? false;
      if (command.type === 'BindRole') return held ? accept<IdentityEvent>() : accept<IdentityEvent>(event('RoleBound', now, { subject, grant, by }));
      return held ? accept<IdentityEvent>(event('RoleUnbound', now, { subject, grant, by })) : reject(ErrorCode.NotFound, 'NotBound', `${subject} does not hold ${grant}${project ? ` in ${project}` : ''}`);
    }
  }
}
