import {
  V2ActionResultSchema, V2ActionSchema, V2CreateTrainingJobSchema, V2EngineListSchema, V2ErrorSchema, V2FlavorListSchema, V2JobListSchema, V2JobSearchSchema,
  V2LogPreviewSchema, V2LogUrlSchema, V2TrainingJobSchema, V2UpdateSchema, V2_FILTER_KEYS, V2_PHASES, V2_SORT_KEYS,
} from '@trainyard/contracts';

/**
 * The OpenAPI paths of the vendor-compatible v2 surface (`/v2/{project_id}/…`) and the native
 * catalogue and experiment routes issue 18 added. Spread into the document (openapi.document.ts).
 */
export const V2_SCHEMAS = {
  V2CreateTrainingJob: V2CreateTrainingJobSchema,
  V2TrainingJob: V2TrainingJobSchema,
  V2JobSearch: V2JobSearchSchema,
  V2JobList: V2JobListSchema,
  V2Update: V2UpdateSchema,
  V2Action: V2ActionSchema,
  V2ActionResult: V2ActionResultSchema,
  V2LogPreview: V2LogPreviewSchema,
  V2LogUrl: V2LogUrlSchema,
  V2FlavorList: V2FlavorListSchema,
  V2EngineList: V2EngineListSchema,
  V2Error: V2ErrorSchema,
};

const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const v2error = (description: string) => ({ description, ...json('V2Error') });
const v2errors = {
  '400': v2error('Invalid input: error_code TY.VALIDATION_FAILED, error_details lists every field by its v2 path (and the guide rule)'),
  '403': v2error('TY.FORBIDDEN: e.g. priority 3 without job:setHighPriority'),
  '404': v2error('TY.NOT_FOUND: no such job, task, flavor or project'),
  '409': v2error('TY.ILLEGAL_STATE: not allowed in the current state'),
  '413': v2error('TY.PAYLOAD_TOO_LARGE'),
  '503': v2error('TY.UNAVAILABLE / TY.STREAM_MISSING'),
};
const project = { name: 'project_id', in: 'path', required: true, description: 'The project (`default` until projects exist)', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } };
const jobId = { name: 'training_job_id', in: 'path', required: true, schema: { type: 'string' } };
const taskId = { name: 'task_id', in: 'path', required: true, description: 'worker-0, worker-1, … (status.tasks)', schema: { type: 'string', pattern: '^worker-\\d+$' } };
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': { description: 'Invalid input', content: { 'application/json': { schema: error } } },
  '404': { description: 'Not found', content: { 'application/json': { schema: error } } },
  '409': { description: 'Not allowed in the current state', content: { 'application/json': { schema: error } } },
  '503': { description: 'Unavailable', content: { 'application/json': { schema: error } } },
};

export const V2_PATHS = {
  '/v2/{project_id}/training-jobs': {
    post: {
      summary: 'Create a training job (CreateTrainingJob): algorithm.code_dir/boot_file/command/engine, spec.resource.flavor_id/node_count/pool_id, spec.schedule_policy.priority',
      parameters: [project, { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
      requestBody: { required: true, ...json('V2CreateTrainingJob') },
      responses: { '201': { description: 'Created', ...json('V2TrainingJob') }, ...v2errors },
    },
    get: {
      summary: 'List training jobs (ours: the query form of training-job-searches; ?tag=k:v)',
      parameters: [
        project,
        { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50, default: 10 } },
        { name: 'sort_by', in: 'query', schema: { type: 'string', enum: [...V2_SORT_KEYS], default: 'create_time' } },
        { name: 'order', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'], default: 'desc' } },
        { name: 'phase', in: 'query', schema: { type: 'string', enum: [...V2_PHASES] } },
        { name: 'name', in: 'query', description: 'Part of the name', schema: { type: 'string', maxLength: 64 } },
        { name: 'tag', in: 'query', description: 'key:value or key', schema: { type: 'string' } },
        { name: 'experiment', in: 'query', schema: { type: 'string' } },
      ],
      responses: { '200': { description: 'A page', ...json('V2JobList') }, ...v2errors },
    },
  },
  '/v2/{project_id}/training-job-searches': {
    post: {
      summary: `List training jobs (ListTrainingJobs): offset, limit (1–50), sort_by, order, filters on ${V2_FILTER_KEYS.join(', ')}`,
      parameters: [project],
      requestBody: json('V2JobSearch'),
      responses: { '200': { description: 'A page', ...json('V2JobList') }, ...v2errors },
    },
  },
  '/v2/{project_id}/training-jobs/{training_job_id}': {
    get: { summary: 'Show a training job (ShowTrainingJobDetails)', parameters: [project, jobId], responses: { '200': { description: 'The job', ...json('V2TrainingJob') }, ...v2errors } },
    put: {
      summary: 'Change the description (ChangeTrainingJobDescription)',
      parameters: [project, jobId],
      requestBody: { required: true, ...json('V2Update') },
      responses: { '204': { description: 'Changed' }, ...v2errors },
    },
    delete: { summary: 'Delete a finished training job (DeleteTrainingJob)', parameters: [project, jobId], responses: { '202': { description: 'Deleted' }, ...v2errors } },
  },
  '/v2/{project_id}/training-jobs/{training_job_id}/actions': {
    post: {
      summary: 'Terminate a creating, pending or running job (StopTrainingJob): {"action_type": "terminate"}',
      parameters: [project, jobId],
      requestBody: { required: true, ...json('V2Action') },
      responses: { '202': { description: 'Terminating', ...json('V2ActionResult') }, ...v2errors },
    },
  },
  '/v2/{project_id}/training-jobs/{training_job_id}/tasks/{task_id}/logs/preview': {
    get: { summary: "The end of a task's log (ShowTrainingJobLogsPreview)", parameters: [project, jobId, taskId], responses: { '200': { description: 'Preview', ...json('V2LogPreview') }, ...v2errors } },
  },
  '/v2/{project_id}/training-jobs/{training_job_id}/tasks/{task_id}/logs/url': {
    get: {
      summary: "Where to download a task's log (ShowObsUrlOfTrainingJobLogs): a URL of this API",
      parameters: [project, jobId, taskId, { name: 'Content-Type', in: 'header', schema: { type: 'string', enum: ['text/plain', 'application/octet-stream'] } }],
      responses: { '200': { description: 'URL', ...json('V2LogUrl') }, ...v2errors },
    },
  },
  '/v2/{project_id}/training-job-flavors': {
    get: {
      summary: "The flavor catalogue (ShowTrainingJobFlavors): every pool's named flavors",
      parameters: [project, { name: 'flavor_type', in: 'query', schema: { type: 'string', enum: ['CPU', 'GPU', 'Ascend'] } }],
      responses: { '200': { description: 'Flavors', ...json('V2FlavorList') }, ...v2errors },
    },
  },
  '/v2/{project_id}/training-job-engines': {
    get: { summary: 'The preset AI engines (ShowTrainingJobEngines)', parameters: [project], responses: { '200': { description: 'Engines', ...json('V2EngineList') }, ...v2errors } },
  },
  '/v1/flavors': {
    get: {
      summary: 'The flavor catalogue: named flavors per pool, for spec.resource.flavorId',
      parameters: [{ name: 'pool', in: 'query', schema: { type: 'string' } }],
      responses: { '200': { description: 'Flavors', ...json('FlavorList') }, ...errors },
    },
    put: {
      summary: 'Define or replace a flavor of a pool (operators)',
      requestBody: { required: true, ...json('Flavor') },
      responses: { '200': { description: 'The flavor', ...json('Flavor') }, ...errors },
    },
  },
  '/v1/experiments': {
    get: {
      summary: 'Every experiment a job you may read belongs to, newest first, with its job count (an experiment exists while a job names it)',
      parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } }],
      responses: { '200': { description: 'Experiments', ...json('ExperimentList') }, ...errors },
    },
  },
  '/v1/experiments/{name}': {
    get: {
      summary: "An experiment's jobs side by side: each job's hyperparameters and final metrics (the last name=number values its rank-0 task printed)",
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } }],
      responses: { '200': { description: 'Comparison', ...json('ExperimentComparison') }, ...errors },
    },
  },
  '/v1/flavors/{pool}/{flavorId}': {
    delete: {
      summary: 'Remove a flavor from a pool catalogue (jobs that used it keep their resolved flavor)',
      parameters: [{ name: 'pool', in: 'path', required: true, schema: { type: 'string' } }, { name: 'flavorId', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '204': { description: 'Removed' }, ...errors },
    },
  },
} as const;
