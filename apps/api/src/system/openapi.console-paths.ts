/**
 * The OpenAPI paths the web console added (issue 13): who the caller is, how to sign in, the live job
 * stream, audit, the dashboard's overview and trend, and the console's own files. Spread into
 * `OPENAPI_DOCUMENT.paths` (openapi.document.ts).
 */
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': { description: 'Invalid input; `details` lists every offending field', content: { 'application/json': { schema: error } } },
  '503': { description: 'A service or NATS is unavailable', content: { 'application/json': { schema: error } } },
};

export const CONSOLE_PATHS = {
  '/v1/me': {
    get: {
      summary: 'The caller: id, cluster-wide roles and permissions, per project its role and permissions, the token id it signed in with, its OIDC groups',
      responses: { '200': { description: 'Principal', content: { 'application/json': { schema: { $ref: '#/components/schemas/Principal' } } } } },
    },
  },
  '/v1/auth/config': {
    get: {
      summary: 'How to sign in: with a token, and with an OIDC issuer (authorization code + PKCE) when one is configured. Needs no token.',
      security: [],
      responses: { '200': { description: 'Token sign-in, and the OIDC issuer when one is configured', content: { 'application/json': { schema: { $ref: '#/components/schemas/AuthConfig' } } } } },
    },
  },
  '/v1/training-jobs/stream': {
    get: {
      summary: 'Every job change, live (server-sent events): `ready` with the starting sequence, then `job` events carrying the changed job (id: its last commit sequence)',
      parameters: [
        { name: 'after', in: 'query', description: 'Resume after this sequence (the last event id)', schema: { type: 'integer', minimum: 0 } },
        { name: 'Last-Event-ID', in: 'header', schema: { type: 'integer', minimum: 0 } },
      ],
      responses: { '200': { description: 'text/event-stream' }, ...errors },
    },
  },
  '/v1/audit': {
    get: {
      summary: 'Commands principals had committed on jobs and nodes, newest first, with token id, source address and user agent; admins, or the maintainer of the ?project=',
      parameters: [
        { name: 'actor', in: 'query', schema: { type: 'string' } },
        { name: 'project', in: 'query', description: "Only that project's jobs (a maintainer's view)", schema: { type: 'string' } },
        { name: 'job', in: 'query', schema: { type: 'string' } },
        { name: 'node', in: 'query', schema: { type: 'string' } },
        { name: 'since', in: 'query', schema: { type: 'string', format: 'date-time' } },
        { name: 'until', in: 'query', schema: { type: 'string', format: 'date-time' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        { name: 'before', in: 'query', description: 'The `next` of the previous page', schema: { type: 'integer', minimum: 1 } },
      ],
      responses: { '200': { description: '{ items: [{ seq, time, actor, target: { kind, id }, types, message }], next }' }, ...errors },
    },
  },
  '/v1/dashboard/overview': {
    get: { summary: 'Training job overview: all jobs, jobs per state, accelerator cards requested by running jobs', responses: { '200': { description: '{ total, byState, requestedCards: { gpu, npu } }' } } },
  },
  '/v1/dashboard/trend': {
    get: {
      summary: "The dashboard's figures per day over the last 7 or 30 days, each job on the day it was created",
      parameters: [{ name: 'days', in: 'query', schema: { type: 'integer', enum: [7, 30], default: 7 } }],
      responses: { '200': { description: '{ from, to, stepSeconds, points: [{ from, to, jobs, succeeded, failed, successRate, failureRate, recoveryEnabledRate, recoverySuccessRate, recoveryTimeSeconds }] }' }, ...errors },
    },
  },
  '/': { get: { security: [], summary: 'The web console (single page)', responses: { '200': { description: 'text/html' }, '404': { description: 'The console is not built' } } } },
  '/assets/{file}': {
    get: {
      security: [],
      summary: "The console's bundled assets",
      parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '200': { description: 'JavaScript, CSS' }, '404': { description: 'No such asset' } },
    },
  },
} as const;
