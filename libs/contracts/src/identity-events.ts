/**
 * Who may do what is itself in the log (issue 11): API tokens, projects and role bindings are
 * aggregates under `ty.ev.iam.` — `ty.ev.iam.token.<id>`, `ty.ev.iam.project.<id>` and the one
 * cluster-wide `ty.ev.iam.cluster` (bindings of operator, admin and `job:setHighPriority`). The API
 * writes them (it owns authentication) and folds them in memory; the read models do not project them.
 *
 * A token never stores its secret: only the SHA-256 of it (the secret is 256 random bits, so a slow
 * hash would add nothing), compared in constant time.
 */

import type { QuotaConfig } from './quota-config';

/** What a token or a binding grants: a project role (with a project), a cluster role, or the one separate grant. */
export const GRANTS = ['viewer', 'member', 'maintainer', 'operator', 'admin', 'job:setHighPriority'] as const;
export type Grant = (typeof GRANTS)[number];
/** Grants that hold in one project only (they need a project). */
export const PROJECT_GRANTS: readonly Grant[] = ['viewer', 'member', 'maintainer'];

/** Who a binding names: a user (`user:alice`, or an OIDC subject), a group from OIDC claims (`group:ml`), a token's own principal (`token:<id>`). */
export const BINDING_SUBJECT = /^(user|group|token):[A-Za-z0-9_.@+=-]{1,200}$/;

/** Project ids are subject tokens too (they name an aggregate). */
export const PROJECT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface IdentityEventData {
  /** An API token was made; its secret was shown once to whoever asked. */
  TokenCreated: {
    tokenId: string;
    /** Hex SHA-256 of the secret part. */
    secretSha256: string;
    /** The principal it authenticates (`user:alice`, or `token:<id>` for a token of its own). */
    subject: string;
    grants: Grant[];
    /** The project the project roles among `grants` hold in. */
    project?: string;
    /** ISO-8601; absent = no expiry. */
    expiresAt?: string;
    description?: string;
    by: string;
  };
  TokenRevoked: { tokenId: string; by: string; reason?: string };
  ProjectCreated: { projectId: string; description?: string; by: string };
  /** `subject` holds `grant` in the aggregate's project (or cluster-wide on `ty.ev.iam.cluster`). */
  RoleBound: { subject: string; grant: Grant; by: string };
  RoleUnbound: { subject: string; grant: Grant; by: string };
  /**
   * The project's quota in `pool` is now `quota` (issue 16): guarantee, limit, cohort, weight. On the
   * project's aggregate, so a quota exists only for a project that does; it replaces the pool's last one.
   */
  QuotaSet: { pool: string; quota: QuotaConfig; by: string };
  /** The project has no quota in `pool` any more. */
  QuotaRemoved: { pool: string; by: string };
  /**
   * An admin let node `nodeId` join (issue 12, `yard admin node join-token`): a single-use token that
   * fetches that node's NATS credentials once, until `expiresAt`. Only the secret's SHA-256 is kept.
   */
  NodeJoinTokenIssued: { tokenId: string; secretSha256: string; nodeId: string; expiresAt: string; by: string };
  /** The token was used: node `nodeId` fetched its credentials (from the address `from`). It is spent. */
  NodeJoinTokenRedeemed: { tokenId: string; nodeId: string; from?: string };
}
export type IdentityEventType = keyof IdentityEventData;
export const IDENTITY_EVENT_TYPES: readonly IdentityEventType[] = ['TokenCreated', 'TokenRevoked', 'ProjectCreated', 'RoleBound', 'RoleUnbound', 'QuotaSet', 'QuotaRemoved', 'NodeJoinTokenIssued', 'NodeJoinTokenRedeemed'];
