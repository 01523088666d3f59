import { DryRunVerdictSchema, QuotaConfigSchema, QuotaListSchema, QuotaRemovedSchema, QuotaSetViewSchema } from '@trainyard/contracts';

/**
 * The OpenAPI paths of quotas and dry runs (issue 16), spread into `OPENAPI_DOCUMENT.paths`; their
 * shapes from the wire schema (`libs/contracts/src/quota-api.ts`, `QUOTA_SCHEMAS`).
 */
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': { description: 'Invalid input; `details` lists every offending field', content: { 'application/json': { schema: error } } },
  '404': { description: 'No such project (or quota)', content: { 'application/json': { schema: error } } },
};
const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const project = { name: 'id', in: 'path', required: true, schema: QuotaSetViewSchema.properties.project };
const pool = { name: 'pool', in: 'path', required: true, schema: QuotaSetViewSchema.properties.pool };
const quotaList = { description: 'Quotas with what each project holds now and how much of it is borrowed (usage null when the scheduler did not answer)', ...json('QuotaList') };

export const QUOTA_SCHEMAS = {
  QuotaConfig: QuotaConfigSchema,
  QuotaSet: QuotaSetViewSchema,
  QuotaList: QuotaListSchema,
  QuotaRemoved: QuotaRemovedSchema,
  DryRunVerdict: DryRunVerdictSchema,
};

export const QUOTA_PATHS = {
  '/v1/quotas': { get: { summary: 'Every quota the caller may read, with what its project holds now and how much of it is borrowed', responses: { '200': quotaList, ...errors } } },
  '/v1/projects/{id}/quotas': { get: { summary: "A project's quotas and their usage (any role in the project)", parameters: [project], responses: { '200': quotaList, ...errors } } },
  '/v1/projects/{id}/quotas/{pool}': {
    put: {
      summary: "Set the project's quota in a pool (operators, admins): guaranteed, limit (default: the guarantee; unbounded in a cohort), cohort (lends and borrows idle guaranteed quota), weight (fair share)",
      parameters: [project, pool],
      requestBody: { required: true, ...json('QuotaConfig') },
      responses: { '200': { description: 'The quota as set', ...json('QuotaSet') }, ...errors },
    },
    delete: { summary: "Remove the project's quota in a pool (operators, admins)", parameters: [project, pool], responses: { '200': { description: 'Removed', ...json('QuotaRemoved') }, ...errors } },
  },
  '/v1/training-jobs/dry-run': {
    post: {
      summary: 'Would this job be placed now, behind every waiting job? Where, whom it would preempt, or every reason it would wait (quota, capacity, reservation, affinity) and the start estimate. Appends nothing.',
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/TrainingJobSpec' } } } },
      responses: { '200': { description: 'The verdict', ...json('DryRunVerdict') }, ...errors },
    },
  },
} as const;
