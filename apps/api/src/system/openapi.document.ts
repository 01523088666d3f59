import { CONSOLE_PATHS } from './openapi.console-paths';

/**
 * The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`. Written by hand next to
 * the controllers it describes; `openapi.spec.ts` checks that every route is documented.
 */
import { ErrorCode, INPUT_LIMITS } from '@trainyard/contracts';

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

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Trainyard API', version: '0.1.0', description: 'Control plane for distributed training jobs.' },
  paths: {
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
          { name: 'tag', in: 'query', description: '`key` or `key=value` of metadata.tags', schema: { type: 'string' } },
          { name: 'project', in: 'query', description: 'Only jobs of this project (today every job is in `default`)', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'A page of jobs', ...json('JobPage') }, ...errors },
      },
    },
    '/v1/training-jobs/{id}': {
      get: { summary: 'Get a job with its tasks', parameters: [idParam], responses: { '200': { description: 'The job', ...json('Job') }, ...errors } },
      delete: { summary: 'Delete a finished job', parameters: [idParam], responses: { '202': { description: 'Deleted', ...json('Job') }, ...errors } },
    },
    '/v1/training-jobs/{id}/stop': {
      post: { summary: 'Stop a creating, waiting or running job', parameters: [idParam], responses: { '202': { description: 'Stopping', ...json('Job') }, ...errors } },
    },
    '/v1/training-jobs/{id}/priority': {
      post: {
        summary: 'Change the priority of a job waiting in the queue and not yet dispatched (3 needs job:setHighPriority)',
        parameters: [idParam],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['priority'], properties: { priority: { type: 'integer', minimum: 1, maximum: 3 } } } } } },
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
        responses: { '200': { description: '{ items: [{ task, attempt, seq, ts, stream, text }], next }' }, ...errors },
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
        responses: { '200': { description: '{ from, to, stepSeconds, series: [{ metric, unit, task, nodeId, points: [[time, value]] }] }' }, ...errors },
      },
    },
    '/v1/dashboard': {
      get: {
        summary: 'The training dashboard over the jobs created in [from, to) (default the last 7 days): success, failure, recovery-enabled and recovery success rates, recovery time',
        parameters: [{ name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } }, { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } }],
        responses: { '200': { description: 'Figures' }, ...errors },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics: the guide container metrics and the control plane', responses: { '200': { description: 'text/plain; version=0.0.4' } } } },
    '/v1/pools': { get: { summary: 'Resource pools: nodes, capacity, used, free, supernodes', responses: { '200': { description: 'Pools', ...json('PoolList') } } } },
    '/v1/nodes': { get: { summary: 'Nodes with capacity, use, liveness and availability (suspect, isolated, draining)', responses: { '200': { description: 'Nodes', ...json('NodeList') } } } },
    '/v1/nodes/{id}/{verb}': {
      post: {
        summary: 'cordon: out of service, running tasks stay; drain: out of service and its tasks are recovered elsewhere; uncordon: back in service (answered by the fault manager)',
        parameters: [idParam, { name: 'verb', in: 'path', required: true, schema: { type: 'string', enum: ['cordon', 'drain', 'uncordon'] } }],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { reason: { type: 'string' }, graceMs: { type: 'integer', minimum: 0 } } } } } },
        responses: { '200': { description: 'The node with its availability' }, ...errors },
      },
    },
    '/v1/training-jobs/{id}/recovery': {
      get: {
        summary: "The job's fault tolerance (容错与恢复): settings, restarts current/max, every recovery decision with its rule, suspected hangs, failure analyses",
        parameters: [idParam],
        responses: { '200': { description: '{ policy, restarts, history: [{ kind, time, attempt, rule, action, fault, restarts, … }], analyses }' }, ...errors },
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
        responses: { '200': { description: '{ id, outcome: applied | still-failing, code?, message? }' }, ...errors },
      },
    },
    '/v1/admin/quarantine/{id}/dismiss': {
      post: {
        summary: 'Accept the loss of a dead letter: it no longer makes the service degraded',
        parameters: [{ ...idParam, schema: { type: 'string', pattern: '^(db|js):[1-9][0-9]*$' } }],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } } } } },
        responses: { '200': { description: '{ id, state: dismissed }' }, ...errors },
      },
    },
    '/healthz': {
      get: {
        summary: 'Health: ok, or degraded with its reasons (NATS closed, read models unreachable, projection failing, open dead letters: their count and the latest). Always 200.',
        responses: { '200': { description: '{ status: ok | degraded, nats, reasons: [string], projection: { position, failing, quarantined }, quarantine: { count, latest } }' } },
      },
    },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    ...CONSOLE_PATHS,
  },
  components: {
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', enum: Object.values(ErrorCode) },
              message: { type: 'string' },
              details: {
                type: 'array',
                items: { type: 'object', properties: { path: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' }, rule: { type: 'string' } } },
              },
            },
          },
        },
      },
      JobState: {
        type: 'string',
        enum: ['creating', 'waiting', 'running', 'terminating', 'terminated', 'completed', 'failed', 'abnormal', 'deleting', 'deleted'],
      },
      TrainingJobSpec: {
        type: 'object',
        required: ['kind', 'metadata', 'algorithm', 'spec'],
        properties: {
          kind: { const: 'job' },
          metadata: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
              description: { type: 'string', maxLength: 256 },
              annotations: { type: 'object', additionalProperties: { type: 'string' } },
              tags: { type: 'array', maxItems: 20, items: { type: 'object', properties: { key: { type: 'string' }, value: { type: 'string' } } } },
            },
          },
          algorithm: {
            type: 'object',
            properties: {
              command: { type: 'string' },
              engine: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } } },
              bootFile: { type: 'string' },
              codeDir: { type: 'string' },
              image: { type: 'string' },
              launchMethod: { type: 'string', enum: ['custom', 'torchrun', 'msrun', 'ranktable', 'pytorch-gpu', 'tensorflow-ps', 'mpi'] },
              processesPerNode: { type: 'integer', minimum: 1, maximum: 1024, description: 'Processes a launcher starts per instance; default the flavor cards, or 1' },
              userId: { type: 'integer', minimum: 0, maximum: 65535 },
              workingDir: { type: 'string' },
              parameters: { type: 'array', maxItems: 100, items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } } },
              inputs: { type: 'array', items: { $ref: '#/components/schemas/DataChannel' } },
              outputs: { type: 'array', items: { $ref: '#/components/schemas/DataChannel' } },
              environments: { type: 'object', maxProperties: 100, additionalProperties: { type: 'string' } },
            },
          },
          spec: {
            type: 'object',
            required: ['resource'],
            properties: {
              resource: {
                type: 'object',
                required: ['flavor'],
                properties: {
                  pool: { type: 'string' },
                  flavor: {
                    type: 'object',
                    required: ['cpu', 'memoryMiB'],
                    properties: { cpu: { type: 'number' }, memoryMiB: { type: 'integer' }, gpu: { type: 'integer' }, npu: { type: 'integer' }, acceleratorType: { type: 'string' } },
                  },
                  nodeCount: { type: 'integer', minimum: 1 },
                  affinityGroupSize: { type: 'integer', minimum: 1 },
                },
              },
              priority: { type: 'integer', minimum: 1, maximum: 3 },
              preemptible: { type: 'boolean' },
              maxRunHours: { type: 'integer', minimum: 1, maximum: 720 },
              runtime: { type: 'string', enum: ['process', 'container'] },
            },
          },
        },
      },
      DataChannel: {
        type: 'object',
        required: ['name', 'path'],
        properties: { name: { type: 'string' }, path: { type: 'string' }, accessMethod: { type: 'string', enum: ['parameter', 'env'] } },
      },
      Task: {
        type: 'object',
        properties: {
          name: { type: 'string' }, index: { type: 'integer' }, state: { type: 'string' }, nodeId: { type: ['string', 'null'] },
          attempt: { type: 'integer' }, exitCode: { type: ['integer', 'null'] }, signal: { type: ['string', 'null'] },
          procStartCount: { type: 'integer' }, startedAt: { type: ['string', 'null'] }, endedAt: { type: ['string', 'null'] },
        },
      },
      Job: {
        type: 'object',
        properties: {
          id: { type: 'string' }, name: { type: 'string' }, description: { type: ['string', 'null'] },
          state: { $ref: '#/components/schemas/JobState' }, stateZh: { type: 'string' }, priority: { type: 'integer' },
          attempt: { type: 'integer' }, dispatched: { type: 'boolean' }, reason: { type: ['string', 'null'] }, nodeCount: { type: 'integer' },
          createdAt: { type: 'string' }, startedAt: { type: ['string', 'null'] }, endedAt: { type: ['string', 'null'] }, updatedAt: { type: 'string' },
          createdBy: { type: 'string' }, project: { type: 'string' }, spec: { $ref: '#/components/schemas/TrainingJobSpec' },
          tasks: { type: 'array', items: { $ref: '#/components/schemas/Task' } },
          waitReason: {
            description: 'Why the job waits, with the numbers (null once placed)',
            type: ['object', 'null'],
            properties: {
              code: { type: 'string' }, position: { type: 'integer' }, deficit: { type: 'object' }, unplacedInstances: { type: 'integer' },
              blockedBy: { type: 'string' }, cause: { type: 'string' }, victims: { type: 'array', items: { type: 'string' } },
              startsAt: { type: ['string', 'null'] }, affinityGroups: { type: 'object' }, detail: { type: 'string' },
            },
          },
          requeue: { description: 'Set while the job waits again after a run (first priority)', type: ['string', 'null'], enum: ['preemption', 'fault-recovery', null] },
          preemptedBy: { type: ['string', 'null'] },
        },
      },
      JobPage: {
        type: 'object',
        properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Job' } }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
      },
      EventList: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                seq: { type: 'integer' }, idx: { type: 'integer' }, type: { type: 'string' }, time: { type: 'string' }, task: { type: ['string', 'null'] },
                message: { type: 'string' }, messageZh: { type: 'string' }, data: {}, actor: { type: 'string' },
              },
            },
          },
        },
      },
      LogPage: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: { type: 'object', properties: { attempt: { type: 'integer' }, seq: { type: 'integer' }, ts: { type: 'string' }, stream: { type: 'string' }, text: { type: 'string' } } },
          },
          nextSeq: { type: 'integer' },
        },
      },
      Resources: { type: 'object', properties: { cpu: { type: 'number' }, memoryMiB: { type: 'number' }, gpu: { type: 'number' }, npu: { type: 'number' } } },
      PoolList: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' }, nodes: { type: 'array', items: { type: 'string' } }, readyNodes: { type: 'integer' },
                capacity: { $ref: '#/components/schemas/Resources' }, used: { $ref: '#/components/schemas/Resources' }, free: { $ref: '#/components/schemas/Resources' },
                supernodes: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
              },
            },
          },
        },
      },
      NodeList: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } } },
      VerifyResult: {
        type: 'object',
        properties: {
          equal: { type: 'boolean' },
          differences: { type: 'array', items: {} },
          seq: { type: 'integer' },
          quarantined: { type: 'array', items: { type: 'integer' }, description: "Commits the live projection quarantined (a rebuild skips them too)" },
          degraded: { type: 'boolean' },
          quarantine: { type: 'object', properties: { count: { type: 'integer' }, latest: { $ref: '#/components/schemas/DeadLetter' } } },
        },
      },
      DeadLetter: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'db:<n> (PostgreSQL dead_letters) or js:<seq> (TY_DEAD_LETTERS)' },
          consumer: { type: 'string' }, stream: { type: 'string' }, seq: { type: 'integer' }, subject: { type: 'string' },
          code: { type: 'string', description: 'SQLSTATE, Node system code or error class' }, message: { type: 'string' }, attempts: { type: 'integer' },
          firstFailedAt: { type: 'string', format: 'date-time' }, quarantinedAt: { type: 'string', format: 'date-time' },
          state: { type: 'string', enum: ['quarantined', 'retried', 'dismissed'] }, resolvedAt: { type: ['string', 'null'], format: 'date-time' },
          payloadBytes: { type: 'integer' }, retryable: { type: 'boolean' },
        },
      },
      DeadLetterList: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/DeadLetter' } } } },
    },
  },
} as const;
