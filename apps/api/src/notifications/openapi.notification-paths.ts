import { DeliveryListSchema, SubscriptionCreatedSchema, SubscriptionListSchema, SubscriptionRemovedSchema, SubscriptionRequestSchema, SubscriptionViewSchema } from '@trainyard/contracts';

/**
 * The OpenAPI paths of webhook notifications (issue 15), spread into `OPENAPI_DOCUMENT.paths`; their
 * shapes from the wire schema (`libs/contracts/src/notification-api.ts`).
 */
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': { description: 'Invalid input; `details` lists every offending field', content: { 'application/json': { schema: error } } },
  '404': { description: 'No such subscription, job or project (or one the caller cannot read)', content: { 'application/json': { schema: error } } },
};
const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

export const NOTIFICATION_SCHEMAS = {
  SubscriptionRequest: SubscriptionRequestSchema,
  Subscription: SubscriptionViewSchema,
  SubscriptionCreated: SubscriptionCreatedSchema,
  SubscriptionList: SubscriptionListSchema,
  SubscriptionRemoved: SubscriptionRemovedSchema,
  DeliveryList: DeliveryListSchema,
};

export const NOTIFICATION_PATHS = {
  '/v1/notifications': {
    get: {
      summary: 'Webhook subscriptions the caller may read',
      parameters: [
        { name: 'job', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'project', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: { '200': { description: 'Subscriptions, oldest first (never their secrets)', ...json('SubscriptionList') }, ...errors },
    },
    post: {
      summary: "Subscribe a webhook to a job's or a project's notification events (members: their own; maintainers, operators). Each notification is a signed JSON POST (Trainyard-Signature, Idempotency-Key)",
      requestBody: { required: true, ...json('SubscriptionRequest') },
      responses: {
        '201': { description: 'The subscription; `secret` only when the API made it', ...json('SubscriptionCreated') },
        '409': { description: 'The job is over (completed, failed, abnormal, terminated): notifications cannot be set on it', content: { 'application/json': { schema: error } } },
        ...errors,
      },
    },
  },
  '/v1/notifications/{id}': {
    get: { summary: 'One subscription', parameters: [id], responses: { '200': { description: 'The subscription', ...json('Subscription') }, ...errors } },
    delete: { summary: 'Remove a subscription: nothing more is sent, pending deliveries are cancelled', parameters: [id], responses: { '200': { description: 'Removed', ...json('SubscriptionRemoved') }, ...errors } },
  },
  '/v1/notifications/{id}/deliveries': {
    get: {
      summary: 'The delivery log: every notification of the subscription with each attempt and its status, newest first',
      parameters: [id, { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } }],
      responses: { '200': { description: 'Deliveries', ...json('DeliveryList') }, ...errors },
    },
  },
};
