import { Type, type Static } from '@sinclair/typebox';
import { BINDING_SUBJECT, GRANTS, PROJECT_ID } from './identity-events';
import { stringEnum } from './job-spec';
import type { Principal } from './principal';

/*
 * The identity routes' wire shapes (issue 11): API tokens, projects and role bindings. The OpenAPI
 * document and the CLI's types derive from these; the controller checks its input by the same
 * patterns (`PROJECT_ID`, `BINDING_SUBJECT`, `GRANTS`).
 */

const nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);
const time = () => Type.String({ format: 'date-time' });

export const GrantSchema = stringEnum(GRANTS, 'A role (viewer, member, maintainer in a project; operator, admin cluster-wide) or the job:setHighPriority grant');
const subject = Type.String({ pattern: BINDING_SUBJECT.source, description: 'user:<name>, group:<name> or token:<id>' });
const projectId = Type.String({ pattern: PROJECT_ID.source });

/** An API token as the API lists it: never its secret. */
export const TokenViewSchema = Type.Object({
  id: Type.String(),
  subject: Type.String(),
  roles: Type.Array(Type.String()),
  project: nullable(Type.String()),
  description: nullable(Type.String()),
  createdAt: time(),
  createdBy: Type.String(),
  expiresAt: nullable(Type.String({ format: 'date-time' })),
  revokedAt: nullable(Type.String({ format: 'date-time' })),
});
export type TokenView = Static<typeof TokenViewSchema>;
export const TokenListSchema = Type.Object({ items: Type.Array(TokenViewSchema) });

/** `POST /v1/admin/tokens`. */
export const TokenCreateSchema = Type.Object({
  roles: Type.Array(GrantSchema, { minItems: 1 }),
  project: Type.Optional(Type.String({ pattern: PROJECT_ID.source, description: 'Where the project roles hold' })),
  subject: Type.Optional(Type.String({ pattern: BINDING_SUBJECT.source, description: 'The principal it authenticates, e.g. user:alice (default token:<id>)' })),
  expiresInSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
  description: Type.Optional(Type.String({ maxLength: 200 })),
});
export type TokenCreate = Static<typeof TokenCreateSchema>;
/** The created token with its secret, `tyt_<id>_<secret>`: shown in this answer only. */
export const TokenCreatedSchema = Type.Composite([TokenViewSchema, Type.Object({ token: Type.String() })]);
export type TokenCreated = Static<typeof TokenCreatedSchema>;

export const TokenRevokeSchema = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) });

/** `{ subject, role }`: a role binding (the body of bind and unbind, an item of the lists). */
export const BindingSchema = Type.Object({ subject, role: GrantSchema });
export type Binding = Static<typeof BindingSchema>;
export const BindingListSchema = Type.Object({ items: Type.Array(BindingSchema) });
export const BindingResultSchema = Type.Object({
  subject: Type.String(),
  role: Type.String(),
  project: nullable(Type.String()),
  bound: Type.Boolean({ description: 'true after a bind, false after an unbind' }),
  seq: Type.Optional(Type.Integer()),
});
export type BindingResult = Static<typeof BindingResultSchema>;

export const ProjectViewSchema = Type.Object({
  id: Type.String(),
  description: nullable(Type.String()),
  createdAt: time(),
  createdBy: Type.String(),
  bindings: Type.Optional(Type.Array(Type.Object({ subject: Type.String(), role: Type.String() }), { description: 'Admins only' })),
});
export type ProjectView = Static<typeof ProjectViewSchema>;
export const ProjectListSchema = Type.Object({ items: Type.Array(ProjectViewSchema) });
export const ProjectCreateSchema = Type.Object({ id: projectId, description: Type.Optional(Type.String({ maxLength: 256 })) });

/** `GET /v1/me`: the caller (`Principal`). */
export const PrincipalSchema = Type.Object({
  id: Type.String({ description: 'e.g. user:local' }),
  roles: Type.Array(stringEnum(['operator', 'admin'] as const), { description: 'Cluster-wide roles' }),
  permissions: Type.Array(Type.String(), { description: "Cluster-wide permissions: they hold for every project's jobs" }),
  projects: Type.Array(Type.Object({ id: Type.String(), role: stringEnum(['viewer', 'member', 'maintainer'] as const), permissions: Type.Array(Type.String()) })),
  tokenId: Type.Optional(Type.String({ description: 'The API token it signed in with (never its secret)' })),
  groups: Type.Optional(Type.Array(Type.String(), { description: 'OIDC groups (group:<name>) when it signed in with a JWT' })),
});
// The schema and the interface the API builds say the same: either direction of drift fails to compile.
const principalMatches: [Static<typeof PrincipalSchema>, Principal] extends [Principal, Static<typeof PrincipalSchema>] ? true : never = true;
void principalMatches;
