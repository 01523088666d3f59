import {
  CatalogueFlavorListSchema, CatalogueFlavorSchema, DashboardFiguresViewSchema, DeadLetterListSchema, DeadLetterViewSchema, ErrorResponseSchema, EventListSchema,
  DeadLetterDismissedSchema, DeadLetterDismissSchema, DeadLetterRetrySchema, ExperimentComparisonSchema, ExperimentListSchema, MetricSeriesPageSchema, INPUT_LIMITS, JobPageSchema, JobStateSchema, JobUpdateSchema, JobViewSchema, LogPageSchema, LogSearchPageSchema, MetricSeriesSchema,
  ExecBodySchema, ExecResultViewSchema, NodeActionSchema, NodeListSchema, PoolListSchema, PriorityChangeSchema, RecoveryViewSchema, TaskViewSchema, TrainingJobSpecSchema, VerifyResultSchema,
} from '@trainyard/contracts';
import { CONSOLE_PATHS } from './openapi.console-paths';
import { AUTH_PATHS, AUTH_SCHEMAS } from './openapi.auth-paths';
import { V2_PATHS, V2_SCHEMAS } from './openapi.v2-paths';
import { HISTORY_PATHS } from '../history/openapi.history-paths';
import { QUOTA_PATHS, QUOTA_SCHEMAS } from '../quotas/openapi.quota-paths';
import { NODE_JOIN_PATHS, NODE_JOIN_SCHEMAS } from '../nodes/openapi.node-join-paths';
import { NOTIFICATION_PATHS, NOTIFICATION_SCHEMAS } from '../notifications/openapi.notification-paths';
import { SEARCH_PATHS, SEARCH_SCHEMAS } from '../searches/openapi.search-paths';

/*
 * The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`. The routes are listed here
 * beside the controllers they describe; every body and view is the wire schema of
 * `@trainyard/contracts` (TypeBox, i.e. JSON Schema), never restated: `components.schemas` embeds
 * them and the test suite runs an OpenAPI validator over the result (openapi.document.spec.ts).
 */

const error = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': { description: 'Invalid input; `details` lists every offending field (path and code), at most 100', content: { 'application/json': { schema: error } } },
  '404': { description: 'No such job', content: { 'application/json': { schema: error } } },
  '409': { description: 'Not allowed in the current state', content: { 'application/json': { schema: error } } },
  '413': { description: `PAYLOAD_TOO_LARGE: the body is over ${INPUT_LIMITS.bodyBytes} bytes`, content: { 'application/json': { schema: error } } },
  '503': { description: 'UNAVAILABLE: a service or NATS does not answer; STREAM_MISSING: the event or log stream is gone (an outage)', content: { 'application/json': { schema: error } } },
};
const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

const DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Trainyard API', version: '0.1.0', description: 'Control plane for distributed training jobs.' },
  paths: {
    ...V2_PATHS,
    '/v1/training-jobs': {
      post: {
        summary: 'Submit a training job',
        parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
        requestBody: { required: true, ...json('TrainingJobSpec') },
        responses: { '201': { description: 'Created', ...json('Job') }, ...errors },
      },
      get: {
        summary: 'List training jobs',
        parameters: [
          { name: 'state', in: 'query', schema: { $ref: '#/components/schemas/JobState' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          { name: 'q', in: 'query', description: 'Part of the name (case-insensitive)', schema: { type: 'string', maxLength: 64 } },
          { name: 'tag', in: 'query', description: '`key`, `key:value` or `key=value` of metadata.tags', schema: { type: 'string' } },
          { name: 'experiment', in: 'query', description: 'Only jobs of this experiment', schema: { type: 'string' } },
          { name: 'project', in: 'query', description: 'Only jobs of this project (today every job is in `default`)', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'A page of jobs', ...json('JobPage') }, ...errors },
      },
    },
    '/v1/training-jobs/{id}': {
      get: { summary: 'Get a job with its tasks', parameters: [idParam], responses: { '200': { description: 'The job', ...json('Job') }, ...errors } },
      delete: { summary: 'Delete a finished job', parameters: [idParam], responses: { '202': { description: 'Deleted', ...json('Job') }, ...errors } },
      patch: {
        summary: 'Change the description, the tags (all of them) or the experiment after creation (V2, V22)',
        parameters: [idParam],
        requestBody: { required: true, ...json('JobUpdate') },
        responses: { '200': { description: 'The job', ...json('Job') }, ...errors },
      },
    },
    '/v1/training-jobs/{id}/stop': {
      post: { summary: 'Stop a creating, waiting or running job', parameters: [idParam], responses: { '202': { description: 'Stopping', ...json('Job') }, ...errors } },
    },
    '/v1/training-jobs/{id}/tasks/{task}/exec': {
      post: {
        summary: 'Run a command in a running task, as its user, in its working directory (recorded in the job history and the audit)',
        parameters: [idParam, { name: 'task', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, ...json('ExecBody') },
        responses: { '200': { description: 'The exit code and output', ...json('ExecResult') }, ...errors },
      },
    },
    '/v1/training-jobs/{id}/priority': {
      post: {
        summary: 'Change the priority of a job waiting in the queue and not yet dispatched (3 needs job:setHighPriority)',
        parameters: [idParam],
        requestBody: { required: true, ...json('PriorityChange') },
        responses: { '200': { description: 'The job with its new priority', ...json('Job') }, '403': { description: 'Priority 3 needs job:setHighPriority', content: { 'application/json': { schema: error } } }, ...errors },
      },
    },
    '/v1/training-jobs/{id}/events': {
      get: { summary: "A job's events in order", parameters: [idParam], responses: { '200': { description: 'Events', ...json('EventList') }, ...errors } },
    },
    '/v1/training-jobs/{id}/tasks/{task}/logs': {
      get: {
        summary: "A task's log lines; with follow=true a server-sent event stream (`line` events, then `end`)",
        parameters: [
          idParam,
          { name: 'task', in: 'path', required: true, schema: { type: 'string', pattern: '^worker-\\d+$' } },
          { name: 'attempt', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'afterSeq', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000 } },
          { name: 'tail', in: 'query', description: 'Only the last N lines', schema: { type: 'integer', minimum: 1, maximum: 10000 } },
          { name: 'from', in: 'query', description: 'Lines read at or after (ISO-8601)', schema: { type: 'string', format: 'date-time' } },
          { name: 'to', in: 'query', description: 'Lines read before (ISO-8601)', schema: { type: 'string', format: 'date-time' } },
          { name: 'follow', in: 'query', description: 'Server-sent events; `end` right after the attempt\'s last line', schema: { type: 'boolean' } },
        ],
        responses: {
          '200': { description: 'Lines (`bytes`: base64 of the exact bytes of a line that is not UTF-8)', content: { ...json('LogPage').content, 'text/event-stream': { schema: { type: 'string' } } } },
          ...errors,
        },
      },
    },
    '/v1/training-jobs/{id}/tasks/{task}/logs/download': {
      get: {
        summary: "One task attempt's log as a file named modelarts-job-<id>-<task>.log (exact bytes)",
        parameters: [idParam, { name: 'task', in: 'path', required: true, schema: { type: 'string' } }, { name: 'attempt', in: 'query', schema: { type: 'integer', minimum: 1 } }],
        responses: { '200': { description: 'The log', content: { 'text/plain': { schema: { type: 'string', format: 'binary' } } } }, ...errors },
      },
    },
    '/v1/training-jobs/{id}/logs': {
      get: { summary: 'Every task attempt with output: last line, size, and the eof mark', parameters: [idParam], responses: { '200': { description: 'Attempts' }, ...errors } },
    },
    '/v1/training-jobs/{id}/logs/download': {
      get: {
        summary: "All of the job's logs (each task's latest attempt) as one tar.gz of modelarts-job-<id>-worker-<n>.log files",
        parameters: [idParam],
        responses: { '200': { description: 'tar.gz', content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } } }, ...errors },
      },
    },
    '/v1/training-jobs/{id}/logs/search': {
      get: {
        summary: "Lines of the job's tasks containing q, or matching it with regex=true (PostgreSQL regular expressions)",
        parameters: [
          idParam,
          { name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 1000 } },
          { name: 'regex', in: 'query', schema: { type: 'boolean' } },
          { name: 'ignoreCase', in: 'query', schema: { type: 'boolean' } },
          { name: 'task', in: 'query', schema: { type: 'string' } },
          { name: 'attempt', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          { name: 'after', in: 'query', description: 'The `next` cursor of the previous page', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'Hits', ...json('LogSearchPage') }, ...errors },
      },
    },
    '/v1/training-jobs/{id}/metrics': {
      get: {
        summary: "The job's resource metrics (the guide's ma_container_* ids) per task and node over a window",
        parameters: [
          idParam,
          { name: 'window', in: 'query', schema: { type: 'string', enum: ['15m', '30m', '1h', '6h', '12h', '24h'] } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'task', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'Series',
            ...json('MetricSeriesPage'),
          },
          ...errors,
        },
      },
    },
    '/v1/events': {
      get: {
        summary: 'The event index: every job and node event, oldest first, paged by cursor; follow=true streams them live (server-sent events, resuming from Last-Event-ID)',
        parameters: [
          { name: 'after', in: 'query', description: 'Strictly after this event id (<seq> or <seq>.<idx>): the next cursor', schema: { type: 'string', pattern: '^\\d{1,16}(\\.\\d{1,9})?$' } },
          { name: 'since', in: 'query', description: 'Inclusive lower bound: a stream sequence or an ISO-8601 instant', schema: { type: 'string' } },
          { name: 'until', in: 'query', description: 'Inclusive upper bound (not with follow)', schema: { type: 'string' } },
          { name: 'type', in: 'query', description: 'Event types, comma-separated', schema: { type: 'string' } },
          { name: 'job', in: 'query', schema: { type: 'string' } },
          { name: 'node', in: 'query', schema: { type: 'string' } },
          { name: 'actor', in: 'query', schema: { type: 'string', maxLength: 256 } },
          { name: 'project', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'follow', in: 'query', schema: { type: 'boolean' } },
          { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
        ],
        responses: { '200': { description: '{ items: [event], next } or text/event-stream' }, ...errors },
      },
    },
    '/v1/dashboard': {
      get: {
        summary: 'The training dashboard over the jobs created in [from, to) (default the last 7 days): success, failure, recovery-enabled and recovery success rates, recovery time',
        parameters: [{ name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } }, { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } }],
        responses: { '200': { description: 'Figures', ...json('DashboardFigures') }, ...errors },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics: the guide container metrics and the control plane', responses: { '200': { description: 'text/plain; version=0.0.4' } } } },
    '/v1/pools': { get: { summary: 'Resource pools: nodes, capacity, used, free, supernodes', responses: { '200': { description: 'Pools', ...json('PoolList') } } } },
    '/v1/nodes': { get: { summary: 'Nodes with capacity, use, liveness and availability (suspect, isolated, draining)', responses: { '200': { description: 'Nodes', ...json('NodeList') } } } },
    '/v1/nodes/{id}/{verb}': {
      post: {
        summary: 'cordon: out of service, running tasks stay; drain: out of service and its tasks are recovered elsewhere; uncordon: back in service (answered by the fault manager)',
        parameters: [idParam, { name: 'verb', in: 'path', required: true, schema: { type: 'string', enum: ['cordon', 'drain', 'uncordon'] } }],
        requestBody: json('NodeAction'),
        responses: { '200': { description: 'The node with its availability' }, ...errors },
      },
    },
    '/v1/training-jobs/{id}/recovery': {
      get: {
        summary: "The job's fault tolerance (容错与恢复): settings, restarts current/max, every recovery decision with its rule, suspected hangs, failure analyses",
        parameters: [idParam],
        responses: { '200': { description: 'Fault tolerance', ...json('Recovery') }, ...errors },
      },
    },
    '/v1/admin/projections/verify': {
      post: { summary: 'Rebuild every projection into a scratch schema and compare; degraded when dead letters are open', responses: { '200': { description: 'Result', ...json('VerifyResult') } } },
    },
    '/v1/admin/quarantine': {
      get: {
        summary: 'Dead letters: messages a consumer could not apply and kept with their error (projector, log router, consumers without a database), newest first',
        parameters: [
          { name: 'state', in: 'query', schema: { type: 'string', enum: ['quarantined', 'retried', 'dismissed', 'all'], default: 'quarantined' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: { '200': { description: 'Dead letters', ...json('DeadLetterList') }, ...errors },
      },
    },
    '/v1/admin/quarantine/{id}/retry': {
      post: {
        summary: "Apply a dead letter again after a fix (db:<n> only): the projection projects the commit's aggregate again, the log router stores the kept batch",
        parameters: [{ ...idParam, schema: { type: 'string', pattern: '^(db|js):[1-9][0-9]*$' } }],
        responses: { '200': { description: 'Applied, or still failing with the error', ...json('DeadLetterRetry') }, ...errors },
      },
    },
    '/v1/admin/quarantine/{id}/dismiss': {
      post: {
        summary: 'Accept the loss of a dead letter: it no longer makes the service degraded',
        parameters: [{ ...idParam, schema: { type: 'string', pattern: '^(db|js):[1-9][0-9]*$' } }],
        requestBody: json('DeadLetterDismiss'),
        responses: { '200': { description: 'Dismissed', ...json('DeadLetterDismissed') }, ...errors },
      },
    },
    '/healthz': {
      get: {
        security: [],
        summary: 'Health: ok, or degraded with its reasons (NATS closed, read models unreachable, projection failing, open dead letters: their count and the latest). Always 200.',
        responses: { '200': { description: '{ status: ok | degraded, nats, reasons: [string], projection: { position, failing, quarantined }, quarantine: { count, latest } }' } },
      },
    },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    ...CONSOLE_PATHS,
    ...AUTH_PATHS,
    ...HISTORY_PATHS,
    ...QUOTA_PATHS,
    ...NODE_JOIN_PATHS,
    ...NOTIFICATION_PATHS,
    ...SEARCH_PATHS,
  },
  // Every route needs a bearer token (an API token or an OIDC JWT) except those saying `security: []`.
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (tyt_…, yard admin token create) or an OIDC access token (JWT)' } },
    schemas: {
      Error: ErrorResponseSchema,
      JobState: JobStateSchema,
      TrainingJobSpec: TrainingJobSpecSchema,
      Task: TaskViewSchema,
      Job: JobViewSchema,
      JobPage: JobPageSchema,
      JobUpdate: JobUpdateSchema,
      PriorityChange: PriorityChangeSchema,
      ExecBody: ExecBodySchema,
      ExecResult: ExecResultViewSchema,
      EventList: EventListSchema,
      LogPage: LogPageSchema,
      LogSearchPage: LogSearchPageSchema,
      MetricSeries: MetricSeriesSchema,
      Recovery: RecoveryViewSchema,
      DashboardFigures: DashboardFiguresViewSchema,
      PoolList: PoolListSchema,
      NodeList: NodeListSchema,
      NodeAction: NodeActionSchema,
      VerifyResult: VerifyResultSchema,
      DeadLetter: DeadLetterViewSchema,
      DeadLetterList: DeadLetterListSchema,
      Flavor: CatalogueFlavorSchema,
      FlavorList: CatalogueFlavorListSchema,
      ExperimentComparison: ExperimentComparisonSchema,
      ExperimentList: ExperimentListSchema,
      MetricSeriesPage: MetricSeriesPageSchema,
      DeadLetterRetry: DeadLetterRetrySchema,
      DeadLetterDismiss: DeadLetterDismissSchema,
      DeadLetterDismissed: DeadLetterDismissedSchema,
      ...V2_SCHEMAS,
      ...AUTH_SCHEMAS,
      ...QUOTA_SCHEMAS,
      ...NODE_JOIN_SCHEMAS,
      ...NOTIFICATION_SCHEMAS,
      ...SEARCH_SCHEMAS,
    },
  },
};

/** The document as served: plain JSON (TypeBox marks its schemas with symbol keys, which JSON drops). */
export const OPENAPI_DOCUMENT = JSON.parse(JSON.stringify(DOCUMENT)) as typeof DOCUMENT;
