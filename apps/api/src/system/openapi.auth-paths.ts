import {
  AuthConfigSchema, BindingListSchema, BindingResultSchema, BindingSchema, ProjectCreateSchema, ProjectListSchema, ProjectViewSchema, TokenCreatedSchema, TokenCreateSchema,
  PrincipalSchema, TokenListSchema, TokenRevokeSchema, TokenViewSchema,
} from '@trainyard/contracts';

/**
 * The OpenAPI paths of identity (issue 11): API tokens, projects and role bindings, their shapes from
 * the wire schema (`libs/contracts/src/identity-api.ts`, `AUTH_SCHEMAS`). Every other path needs a
 * bearer token too (`security` at the document's root); the public ones say `security: []`.
 */
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': { description: 'Invalid input; `details` lists every offending field', content: { 'application/json': { schema: error } } },
  '401': { description: 'UNAUTHENTICATED: no token, or one that is unknown, expired, revoked or badly signed', content: { 'application/json': { schema: error } } },
  '403': { description: 'FORBIDDEN: the message names the missing permission', content: { 'application/json': { schema: error } } },
};
const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const bindingBody = { required: true, ...json('Binding') };
const projectParam = { name: 'id', in: 'path', required: true, schema: ProjectCreateSchema.properties.id };
const bound = (what: string) => ({ '200': { description: what, ...json('BindingResult') }, ...errors });

export const AUTH_SCHEMAS = {
  Token: TokenViewSchema,
  TokenList: TokenListSchema,
  TokenCreate: TokenCreateSchema,
  TokenCreated: TokenCreatedSchema,
  TokenRevoke: TokenRevokeSchema,
  Binding: BindingSchema,
  BindingList: BindingListSchema,
  BindingResult: BindingResultSchema,
  Project: ProjectViewSchema,
  ProjectList: ProjectListSchema,
  ProjectCreate: ProjectCreateSchema,
  Principal: PrincipalSchema,
  AuthConfig: AuthConfigSchema,
};

export const AUTH_PATHS = {
  '/v1/admin/tokens': {
    get: { summary: 'Every API token (never a secret); admins', responses: { '200': { description: 'Tokens', ...json('TokenList') }, ...errors } },
    post: {
      summary: 'Make an API token; the answer holds its secret (`token`), shown only here; admins',
      requestBody: { required: true, ...json('TokenCreate') },
      responses: { '201': { description: 'The token, with `token`: tyt_<id>_<secret>', ...json('TokenCreated') }, ...errors },
    },
  },
  '/v1/admin/tokens/{id}/revoke': {
    post: {
      summary: 'Revoke a token: it authenticates nothing from now on; admins',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z2-7]{12}$' } }],
      requestBody: json('TokenRevoke'),
      responses: { '200': { description: 'The token, with revokedAt', ...json('Token') }, '404': { description: 'No such token' }, ...errors },
    },
  },
  '/v1/admin/bindings': {
    get: { summary: 'Cluster-wide bindings (operator, admin, job:setHighPriority); admins', responses: { '200': { description: 'Bindings', ...json('BindingList') }, ...errors } },
    post: { summary: 'Bind a cluster-wide role to a user or group; admins', requestBody: bindingBody, responses: bound('Bound (project: null, bound: true)') },
    delete: { summary: 'Unbind a cluster-wide role; admins', requestBody: bindingBody, responses: bound('Unbound (project: null, bound: false)') },
  },
  '/v1/projects': {
    get: { summary: 'The projects the caller holds a role in (all of them, with their bindings, for admins)', responses: { '200': { description: 'Projects', ...json('ProjectList') }, ...errors } },
    post: {
      summary: 'Create a project; admins',
      requestBody: { required: true, ...json('ProjectCreate') },
      responses: { '201': { description: 'The project', ...json('Project') }, '409': { description: 'It exists' }, ...errors },
    },
  },
  '/v1/projects/{id}/bindings': {
    post: { summary: 'Bind viewer, member or maintainer in the project to a user or group; admins', parameters: [projectParam], requestBody: bindingBody, responses: bound('Bound (bound: true)') },
    delete: { summary: 'Unbind a project role; admins', parameters: [projectParam], requestBody: bindingBody, responses: bound('Unbound (bound: false)') },
  },
} as const;
