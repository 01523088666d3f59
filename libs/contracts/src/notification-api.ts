import { type Static, Type } from '@sinclair/typebox';
import { PROJECT_ID } from './identity-events';
import { NOTIFICATION_EVENTS } from './notification-events';
import { SUBSCRIPTION_LIMITS } from './validate-subscription';

/*
 * The notification routes' wire shapes (issue 15). The OpenAPI document derives from these; the
 * controller checks a request with `validateSubscription`, by the same rules.
 */

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()]);
const NotificationEventSchema = Type.Union(NOTIFICATION_EVENTS.map((e) => Type.Literal(e)), { description: '作业开始 started, 作业结束 completed, 作业失败 failed, 作业终止 terminated, 作业疑似卡死 suspected-hang (GPU/NPU jobs only)' });

/** `POST /v1/notifications`. */
export const SubscriptionRequestSchema = Type.Object(
  {
    job: Type.Optional(Type.String({ description: "One job's events (not one that is over: completed, failed, abnormal, terminated)" })),
    project: Type.Optional(Type.String({ pattern: PROJECT_ID.source, description: 'Or those of every job of the project' })),
    events: Type.Array(NotificationEventSchema, { minItems: 1, maxItems: NOTIFICATION_EVENTS.length, uniqueItems: true }),
    url: Type.String({ maxLength: SUBSCRIPTION_LIMITS.urlChars, description: 'http(s) URL without credentials; each notification is POSTed there' }),
    secret: Type.Optional(Type.String({ minLength: SUBSCRIPTION_LIMITS.secretMin, maxLength: SUBSCRIPTION_LIMITS.secretMax, description: 'HMAC-SHA256 key of the signature header; absent: one is made and shown once' })),
    description: Type.Optional(Type.String({ maxLength: SUBSCRIPTION_LIMITS.description })),
  },
  { additionalProperties: false },
);

export const SubscriptionViewSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  scope: Type.Union([Type.Literal('job'), Type.Literal('project')]),
  jobId: nullable(Type.String()),
  project: Type.String(),
  events: Type.Array(NotificationEventSchema),
  url: Type.String(),
  description: nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
  fromSeq: Type.Integer({ description: 'Events of commits after this log sequence are notified' }),
});
export type SubscriptionView = Static<typeof SubscriptionViewSchema>;

/** The answer to a creation: the view, and the secret when the API made it (shown this once). */
export const SubscriptionCreatedSchema = Type.Composite([SubscriptionViewSchema, Type.Object({ secret: Type.Optional(Type.String({ description: 'Only when the API made it; never shown again' })) })]);
export const SubscriptionListSchema = Type.Object({ items: Type.Array(SubscriptionViewSchema) });
export const SubscriptionRemovedSchema = Type.Object({ id: Type.String(), removed: Type.Literal(true), seq: Type.Integer() });

const DeliveryStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('cancelled')]);
const AttemptOutcomeSchema = Type.Union([Type.Literal('delivered'), Type.Literal('retry'), Type.Literal('failed'), Type.Literal('cancelled')]);
export type DeliveryStatus = Static<typeof DeliveryStatusSchema>;
export type AttemptOutcome = Static<typeof AttemptOutcomeSchema>;

export const DeliveryViewSchema = Type.Object({
  key: Type.String({ description: 'The idempotency key: <subscription>.<seq>.<index>, the same on every attempt' }),
  subscriptionId: Type.String(),
  jobId: Type.String(),
  event: NotificationEventSchema,
  seq: Type.Integer(),
  status: DeliveryStatusSchema,
  attempts: Type.Array(Type.Object({
    attempt: Type.Integer({ minimum: 1 }),
    at: Type.String({ format: 'date-time' }),
    statusCode: nullable(Type.Integer()),
    outcome: AttemptOutcomeSchema,
    error: nullable(Type.String()),
    durationMs: Type.Integer(),
  })),
  createdAt: Type.String({ format: 'date-time' }),
  nextAttemptAt: nullable(Type.String({ format: 'date-time' })),
  deliveredAt: nullable(Type.String({ format: 'date-time' })),
});
export type DeliveryView = Static<typeof DeliveryViewSchema>;
export const DeliveryListSchema = Type.Object({ items: Type.Array(DeliveryViewSchema) });
