import { SearchListSchema, SearchRequestSchema, SearchViewSchema } from '@trainyard/contracts';

/** The OpenAPI paths of hyperparameter searches (issue 15), spread into `OPENAPI_DOCUMENT.paths`. */
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': { description: 'Invalid input; `details` lists every offending field (the trial template\'s under `job.`)', content: { 'application/json': { schema: error } } },
  '403': { description: 'The caller lacks the permission the message names', content: { 'application/json': { schema: error } } },
  '404': { description: 'No such search (or one the caller cannot read)', content: { 'application/json': { schema: error } } },
};
const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

export const SEARCH_SCHEMAS = { SearchRequest: SearchRequestSchema, Search: SearchViewSchema, SearchList: SearchListSchema };

export const SEARCH_PATHS = {
  '/v1/searches': {
    get: {
      summary: 'Hyperparameter searches the caller may read, newest first',
      parameters: [
        { name: 'project', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['running', 'stopping', 'completed', 'stopped'] } },
      ],
      responses: { '200': { description: 'Searches without their trials', ...json('SearchList') }, ...errors },
    },
    post: {
      summary: "Create a hyperparameter search (search:create and job:submit in its project): trials are jobs from the template with the algorithm's values, the metric read from each trial's log by its regex. Takes an Idempotency-Key",
      requestBody: { required: true, ...json('SearchRequest') },
      responses: { '201': { description: 'The search', ...json('Search') }, ...errors },
    },
  },
  '/v1/searches/{id}': {
    get: { summary: 'One search with every trial and the best one', parameters: [id], responses: { '200': { description: 'The search', ...json('Search') }, ...errors } },
  },
  '/v1/searches/{id}/stop': {
    post: {
      summary: 'Stop a search: no new trial, running ones are stopped (search:stop, or search:stop:own)',
      parameters: [id],
      responses: { '202': { description: 'The search, stopping', ...json('Search') }, '409': { description: 'The search is over or stopping already', content: { 'application/json': { schema: error } } }, ...errors },
    },
  },
};
