/**
 * A hyperparameter search (issue 15, the guide's 自动模型优化 ch11, L6940–L7147): a job template, a space
 * over its parameters, a metric read from each trial's log, and one of the guide's algorithms (plus
 * `grid` and `random`, ours). Each trial is a job of its own, submitted from the template with the
 * trial's values as its parameters (`--name=value`).
 *
 * @example
 * ```yaml
 * kind: search
 * metadata: { name: quadratic, project: default }
 * search:
 *   algorithm: tpe_search
 *   algorithmParameters: { num_samples: 12, n_initial_points: 4, gamma: 0.25 }
 *   metric: { name: loss, direction: minimize, regex: 'loss=([-+0-9.eE]+)' }
 *   parameters:
 *     - { name: x, type: float, min: -5, max: 5 }
 *     - { name: lr, type: float, min: 0.00001, max: 0.1, log: true }
 *     - { name: layers, type: int, min: 1, max: 4 }
 *     - { name: optimizer, type: categorical, choices: [sgd, adam] }
 *   parallelTrials: 3
 *   earlyStopping: { rule: median, warmupSteps: 3, minTrials: 3 }
 * job: { kind: job, metadata: { name: quad }, algorithm: { … }, spec: { … } }
 * ```
 */

/** The guide's three (Tables 11-1..11-3) and two of ours. */
export const SEARCH_ALGORITHMS = ['bayes_opt_search', 'tpe_search', 'anneal_search', 'grid', 'random'] as const;
export type SearchAlgorithm = (typeof SEARCH_ALGORITHMS)[number];

export type SearchParameter =
  | { name: string; type: 'float'; min: number; max: number; log?: boolean; /** Grid points (grid only; default 5). */ steps?: number }
  | { name: string; type: 'int'; min: number; max: number; log?: boolean; /** Grid spacing (grid only; default 1). */ step?: number }
  | { name: string; type: 'categorical'; choices: string[] };

/** One trial's values, by parameter name; categorical values are their choice's text. */
export type SearchValues = Record<string, number | string>;

export type SearchDirection = 'minimize' | 'maximize';

/** The guide's search metric (Table 11-4): a name the code prints, a direction, a regex. */
export interface SearchMetric {
  name: string;
  direction: SearchDirection;
  /**
   * Applied to every line of the trial's rank-0 log (`worker-0`); group 1 (or the group named `value`)
   * is the number. Every match is an intermediate report (step 1, 2, …); the last one is the trial's
   * result. Absent: made from the name (the guide's "auto-generate", {@link metricRegexFor}).
   */
  regex: string;
}

/** Stop trials whose intermediate values are worse than the median of the finished trials' at that step. */
export interface SearchEarlyStopping {
  rule: 'median';
  /** Steps a trial reports before it can be stopped. Default 2. */
  warmupSteps: number;
  /** Finished trials with a value at that step the median needs. Default 3. */
  minTrials: number;
}

/**
 * The algorithm's parameters, with their defaults filled in. `num_samples` (every algorithm) is the
 * number of trials: the guide's "number of hyperparameter groups tried", our "max trials".
 */
export interface SearchAlgorithmParameters {
  num_samples: number;
  /** bayes_opt_search: acquisition function (`ucb` default, `ei`, `poi`). */
  kind?: 'ucb' | 'ei' | 'poi';
  /** bayes_opt_search: exploration weight of `ucb`. Default 2.576 (bayes_opt's). */
  kappa?: number;
  /** bayes_opt_search: exploration margin of `ei` and `poi`. Default 0. */
  xi?: number;
  /** tpe_search, bayes_opt_search: random trials before the model is used. Default 10 (tpe), 5 (bayes). */
  n_initial_points?: number;
  /** tpe_search: share of trials taken as the good ones, in (0, 1). Default 0.25. */
  gamma?: number;
  /** anneal_search: mean of the geometric distribution that picks a trial from the best ones (≥ 1). Default 2 (hyperopt's). */
  avg_best_idx?: number;
  /** anneal_search: how fast the neighbourhood shrinks. Default 0.1. */
  shrink_coef?: number;
  /** Seed of the algorithm's random draws (every algorithm). Default: from the search id. */
  seed?: number;
}

export interface SearchSpec {
  kind: 'search';
  metadata: { name: string; project: string; description?: string };
  search: {
    algorithm: SearchAlgorithm;
    algorithmParameters: SearchAlgorithmParameters;
    metric: SearchMetric;
    parameters: SearchParameter[];
    /** Trials running at once. Default 1. */
    parallelTrials: number;
    earlyStopping?: SearchEarlyStopping;
  };
  /** The trial template: a job document as `yard submit` takes it (checked by `validateJobSpec`). */
  job: unknown;
}

export const SEARCH_LIMITS = {
  parameters: 32,
  choices: 64,
  numSamples: 1000,
  parallelTrials: 32,
  regexChars: 512,
  /** Longest part of a log line the metric regex is applied to (a bound on a bad regex's cost). */
  lineChars: 4096,
  gridSteps: 100,
} as const;

/** Search ids name an aggregate (`ty.ev.search.<id>`); trial jobs are `<id>-t<n>`. */
export const SEARCH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The job id of trial `n` (1-based) of a search: fixed, so a trial submitted twice is one job. */
export const trialJobId = (searchId: string, trial: number) => `${searchId}-t${trial}`;

const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The guide's "智能生成": `loss=0.3`, `loss: 0.3`, `loss 0.3` for a metric named `loss`. */
export function metricRegexFor(name: string): string {
  return String.raw`(?:^|[^A-Za-z0-9_])${escapeRegex(name)}\s*[=:]?\s*(${NUMBER})`;
}
