import { type Static, Type } from '@sinclair/typebox';
import { SEARCH_ALGORITHMS } from './search-spec';

/*
 * The search routes' wire shapes (issue 15). The OpenAPI document derives from these; the controller
 * checks a request with `validateSearch`, by the same rules.
 */

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()]);
const Values = Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]), { description: "A trial's values by parameter name" });
const literals = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));

/** `POST /v1/searches`: the search document `yard search create FILE` sends (see `SearchSpec`). */
export const SearchRequestSchema = Type.Object(
  {
    kind: Type.Literal('search'),
    metadata: Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), project: Type.Optional(Type.String()), description: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: false }),
    search: Type.Object(
      {
        algorithm: literals(SEARCH_ALGORITHMS),
        algorithmParameters: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]), { description: 'num_samples (every algorithm); kind, kappa, xi, n_initial_points (bayes_opt_search); n_initial_points, gamma (tpe_search); avg_best_idx, shrink_coef (anneal_search); seed' })),
        metric: Type.Object({ name: Type.String(), direction: literals(['minimize', 'maximize', 'min', 'max'] as const), regex: Type.Optional(Type.String({ description: 'Group `value` or group 1 is the number; default made from the name' })) }, { additionalProperties: false }),
        parameters: Type.Array(Type.Object({
          name: Type.String(),
          type: literals(['float', 'int', 'categorical'] as const),
          min: Type.Optional(Type.Number()),
          max: Type.Optional(Type.Number()),
          log: Type.Optional(Type.Boolean()),
          steps: Type.Optional(Type.Integer({ description: 'grid: points of a float' })),
          step: Type.Optional(Type.Integer({ description: 'an int\'s spacing' })),
          choices: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
        }, { additionalProperties: false }), { minItems: 1 }),
        parallelTrials: Type.Optional(Type.Integer({ minimum: 1 })),
        earlyStopping: Type.Optional(Type.Object({ rule: Type.Optional(Type.Literal('median')), warmupSteps: Type.Optional(Type.Integer({ minimum: 1 })), minTrials: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
    job: Type.Object({}, { additionalProperties: true, description: 'The trial template: a job document as POST /v1/training-jobs takes it' }),
  },
  { additionalProperties: false },
);

export const TrialViewSchema = Type.Object({
  trial: Type.Integer({ minimum: 1 }),
  jobId: Type.String(),
  values: Values,
  status: literals(['running', 'pruning', 'completed', 'failed', 'pruned', 'stopped'] as const),
  /** The last report: the trial's result once it ended. */
  value: nullable(Type.Number()),
  reports: Type.Integer({ description: 'Metric matches in its log (its latest attempt)' }),
  lastReport: nullable(Type.Object({ step: Type.Integer(), value: Type.Number() })),
  reason: nullable(Type.String()),
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: nullable(Type.String({ format: 'date-time' })),
});
export type TrialView = Static<typeof TrialViewSchema>;

const searchSummary = {
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  project: Type.String(),
  description: nullable(Type.String()),
  algorithm: literals(SEARCH_ALGORITHMS),
  algorithmParameters: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()])),
  metric: Type.Object({ name: Type.String(), direction: literals(['minimize', 'maximize'] as const), regex: Type.String() }),
  parallelTrials: Type.Integer(),
  status: literals(['running', 'stopping', 'completed', 'stopped'] as const),
  trialsStarted: Type.Integer(),
  trialsEnded: Type.Integer(),
  numSamples: Type.Integer(),
  best: nullable(Type.Object({ trial: Type.Integer(), value: Type.Number(), values: Values, jobId: Type.String() })),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
  endedAt: nullable(Type.String({ format: 'date-time' })),
  stoppedBy: nullable(Type.String()),
};

export const SearchSummarySchema = Type.Object(searchSummary);
export type SearchSummary = Static<typeof SearchSummarySchema>;
export const SearchViewSchema = Type.Object({
  ...searchSummary,
  parameters: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  earlyStopping: nullable(Type.Object({ rule: Type.Literal('median'), warmupSteps: Type.Integer(), minTrials: Type.Integer() })),
  trials: Type.Array(TrialViewSchema),
});
export type SearchView = Static<typeof SearchViewSchema>;
export const SearchListSchema = Type.Object({ items: Type.Array(SearchSummarySchema) });
