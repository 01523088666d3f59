/**
 * The OpenAPI paths of history (issue 17), spread into `OPENAPI_DOCUMENT.paths` (`/v1/events` is
 * in the document itself). `?at=<seq|ISO instant>` on `GET /v1/training-jobs`, `/v1/training-jobs/{id}`
 * and `/v1/nodes` answers for a past moment.
 */
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': { description: 'Invalid input; `details` lists every offending parameter', content: { 'application/json': { schema: error } } },
  '404': { description: 'No such job', content: { 'application/json': { schema: error } } },
};
const q = (name: string, description: string) => ({ name, in: 'query', required: false, schema: { type: 'string' }, description });
const json = { content: { 'application/json': { schema: { type: 'object' } } } };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export const HISTORY_PATHS = {
  '/v1/training-jobs/{id}/explain': { get: { summary: "The job's decisions in order, in words and as data", parameters: [id], responses: { '200': { description: 'Explanation', ...json }, ...errors } } },
  '/v1/training-jobs/{id}/goodput': { get: { summary: 'Where the allocated time went (useful, startup, recovery, reruns, failed) and each recovery by phase', parameters: [id], responses: { '200': { description: 'Goodput', ...json }, ...errors } } },
  '/v1/dashboard/goodput': { get: { summary: "The cluster's goodput over jobs with an event since `since` (default 24 h)", parameters: [q('since', 'ISO instant')], responses: { '200': { description: 'Goodput', ...json }, ...errors } } },
  '/v1/admin/export': {
    get: {
      summary: 'The event log as NDJSON: a header line, then one commit a line with sequence, subject, time and SHA-256',
      parameters: [q('since', 'sequence or ISO instant'), q('until', 'sequence or ISO instant')],
      responses: { '200': { description: 'application/x-ndjson' }, ...errors },
    },
  },
  '/v1/admin/import': {
    post: {
      summary: 'Loads a whole export (from sequence 1) into an empty cluster, every commit at its recorded sequence; all lines are checked first',
      requestBody: { required: true, content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
      responses: { '200': { description: '{ imported, first, last }', ...json }, '409': { description: 'The event log is not empty', content: { 'application/json': { schema: error } } }, ...errors },
    },
  },
};
