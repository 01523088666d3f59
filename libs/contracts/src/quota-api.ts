import { Type, type Static } from '@sinclair/typebox';
import { JobWaitReasonSchema } from './http-api';
import { PROJECT_ID } from './identity-events';
import { MAX_QUOTA_AMOUNT, QUOTA_NAME, QUOTA_RESOURCE } from './quota-config';

/*
 * The quota and dry-run routes' wire shapes (issue 16). The OpenAPI document and the CLI's types
 * derive from these; the controller checks a quota body with `validateQuotaConfig`, by the same
 * patterns (`QUOTA_RESOURCE`, `QUOTA_NAME`, `MAX_QUOTA_AMOUNT`).
 */

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()]);

/** resource → amount: cpu (cores), memoryMiB, gpu, npu, gpu/<model>, npu/<model> (a flavor's acceleratorType). */
export const QuotaAmountsSchema = Type.Record(Type.String({ pattern: QUOTA_RESOURCE.source }), Type.Number({ minimum: 0, maximum: MAX_QUOTA_AMOUNT }), {
  description: 'resource → amount: cpu (cores), memoryMiB, gpu, npu, gpu/<model>, npu/<model> (flavor.acceleratorType)',
});

/** `PUT /v1/projects/{id}/quotas/{pool}`. */
export const QuotaConfigSchema = Type.Object(
  {
    guaranteed: QuotaAmountsSchema,
    /** Default: the guarantee; unbounded in a cohort. */
    limit: Type.Optional(QuotaAmountsSchema),
    cohort: Type.Optional(Type.String({ pattern: QUOTA_NAME.source, description: 'Lends and borrows idle guaranteed quota within the cohort' })),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: 'Fair-share weight (default 1)' })),
  },
  { additionalProperties: false },
);

/** What the project holds now in the pool, and how much of it is borrowed (the scheduler's count). */
export const QuotaUsageSchema = Type.Object({ used: QuotaAmountsSchema, borrowed: QuotaAmountsSchema });

/** A quota as set: its configuration, who set it and when. */
export const QuotaSetViewSchema = Type.Object({
  project: Type.String({ pattern: PROJECT_ID.source }),
  pool: Type.String({ pattern: QUOTA_NAME.source }),
  guaranteed: QuotaAmountsSchema,
  limit: nullable(QuotaAmountsSchema),
  cohort: nullable(Type.String()),
  weight: Type.Number(),
  setAt: Type.String({ format: 'date-time' }),
  setBy: Type.String(),
  seq: Type.Optional(Type.Integer({ description: 'The commit that set it (in the answer to a PUT)' })),
});

/** A quota as the API lists it: with its usage, null when the scheduler did not answer. */
export const QuotaViewSchema = Type.Composite([QuotaSetViewSchema, Type.Object({ usage: nullable(QuotaUsageSchema) })]);
export type QuotaView = Static<typeof QuotaViewSchema>;
export const QuotaListSchema = Type.Object({ items: Type.Array(QuotaViewSchema) });

export const QuotaRemovedSchema = Type.Object({ project: Type.String(), pool: Type.String(), removed: Type.Literal(true), seq: Type.Integer() });

/** `POST /v1/training-jobs/dry-run`: where the job would go now, whom it would preempt, or why it would wait. */
export const DryRunVerdictSchema = Type.Object({
  placed: Type.Boolean(),
  pool: Type.String(),
  project: Type.String(),
  placements: Type.Optional(Type.Array(Type.Object({ task: Type.String(), index: Type.Optional(Type.Integer()), nodeId: Type.String(), host: Type.Optional(Type.String()) }))),
  preempts: Type.Optional(Type.Array(Type.Object({ jobId: Type.String(), kind: Type.Union([Type.Literal('priority'), Type.Literal('reclaim')]) }))),
  reason: Type.Optional(JobWaitReasonSchema),
  causes: Type.Optional(Type.Array(Type.Unsafe<{ kind: string } & Record<string, unknown>>(Type.Object({ kind: Type.String() }, { additionalProperties: true, description: 'One reason that holds, with its numbers' })))),
  estimatedStart: Type.Optional(nullable(Type.String({ format: 'date-time' }))),
  message: Type.String(),
});
export type DryRunView = Static<typeof DryRunVerdictSchema>;
