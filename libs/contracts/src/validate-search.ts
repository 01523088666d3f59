import { FieldCode, type FieldError } from './errors';
import { PROJECT_ID } from './identity-events';
import { metricRegexFor, SEARCH_ALGORITHMS, SEARCH_LIMITS, type SearchAlgorithm, type SearchAlgorithmParameters, type SearchEarlyStopping, type SearchMetric, type SearchParameter, type SearchSpec } from './search-spec';
import { gridCount } from './search-grid';
import { storableInputErrors } from './storable-input';

export type SearchCheck = { ok: true; spec: SearchSpec } | { ok: false; errors: FieldError[] };

const PARAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SEARCH_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Which algorithm parameters each algorithm takes, with the range of each. */
const ALGORITHM_PARAMETERS: Record<SearchAlgorithm, readonly (keyof SearchAlgorithmParameters)[]> = {
  bayes_opt_search: ['num_samples', 'kind', 'kappa', 'xi', 'n_initial_points', 'seed'],
  tpe_search: ['num_samples', 'n_initial_points', 'gamma', 'seed'],
  anneal_search: ['num_samples', 'avg_best_idx', 'shrink_coef', 'seed'],
  grid: ['num_samples', 'seed'],
  random: ['num_samples', 'seed'],
};

/**
 * The shape rules of a search document (`POST /v1/searches`, `yard search create`), each offending
 * field reported with its path and a stable code. The trial template (`job`) is left to
 * `validateJobSpec`, which the API runs with the caller's permissions.
 *
 * @example
 * ```ts
 * validateSearch({ kind: 'search', metadata: { name: 'q' }, search: { algorithm: 'tpe_search',
 *   algorithmParameters: { num_samples: 12 }, metric: { name: 'loss', direction: 'minimize' },
 *   parameters: [{ name: 'x', type: 'float', min: -5, max: 5 }] }, job: { … } }) // ok
 * ```
 */
export function validateSearch(input: unknown): SearchCheck {
  const errors: FieldError[] = [];
  const add = (path: string, code: FieldError['code'], message: string) => errors.push({ path, code, message });
  // Text, keys and depth first, as for a job: the rules below then see only storable, shallow input.
  const storable = storableInputErrors(input);
  if (storable.length) return { ok: false, errors: storable };
  if (!isObject(input)) return { ok: false, errors: [{ path: '', code: FieldCode.InvalidType, message: 'expected a search object' }] };
  known(input, ['kind', 'metadata', 'search', 'job'], '', add);
  if (input.kind !== 'search') add('kind', input.kind === undefined ? FieldCode.Required : FieldCode.InvalidFormat, 'kind must be search');

  const metadata = { name: '', project: 'default' } as SearchSpec['metadata'];
  if (!isObject(input.metadata)) add('metadata', input.metadata === undefined ? FieldCode.Required : FieldCode.InvalidType, 'metadata must be an object with a name');
  else {
    const m = input.metadata;
    known(m, ['name', 'project', 'description'], 'metadata', add);
    if (typeof m.name !== 'string' || !SEARCH_NAME.test(m.name)) add('metadata.name', m.name === undefined ? FieldCode.Required : FieldCode.InvalidFormat, `metadata.name must match ${SEARCH_NAME}`);
    else metadata.name = m.name;
    if (m.project !== undefined) {
      if (typeof m.project !== 'string' || !PROJECT_ID.test(m.project)) add('metadata.project', FieldCode.InvalidFormat, 'metadata.project must be a project id');
      else metadata.project = m.project;
    }
    if (m.description !== undefined) {
      if (typeof m.description !== 'string') add('metadata.description', FieldCode.InvalidType, 'metadata.description must be a string');
      else if ([...m.description].length > 256) add('metadata.description', FieldCode.TooLong, 'metadata.description is longer than 256 characters');
      else if (m.description.trim()) metadata.description = m.description.trim();
    }
  }

  if (input.job === undefined) add('job', FieldCode.Required, 'job (the trial template) is required');
  else if (!isObject(input.job)) add('job', FieldCode.InvalidType, 'job must be a job document');

  let search: SearchSpec['search'] | undefined;
  if (!isObject(input.search)) add('search', input.search === undefined ? FieldCode.Required : FieldCode.InvalidType, 'search must be an object');
  else search = checkSearch(input.search, add);

  if (errors.length || !search) return { ok: false, errors };
  return { ok: true, spec: { kind: 'search', metadata, search, job: input.job } };
}

type Add = (path: string, code: FieldError['code'], message: string) => void;

function checkSearch(s: Record<string, unknown>, add: Add): SearchSpec['search'] | undefined {
  const before = { n: 0 };
  const counted: Add = (p, c, m) => (before.n++, add(p, c, m));
  known(s, ['algorithm', 'algorithmParameters', 'metric', 'parameters', 'parallelTrials', 'earlyStopping'], 'search', counted);
  const algorithm = s.algorithm as SearchAlgorithm;
  const algorithmOk = typeof algorithm === 'string' && (SEARCH_ALGORITHMS as readonly string[]).includes(algorithm);
  if (!algorithmOk) counted('search.algorithm', s.algorithm === undefined ? FieldCode.Required : FieldCode.InvalidFormat, `search.algorithm must be one of ${SEARCH_ALGORITHMS.join(', ')}`);

  const parameters = checkParameters(s.parameters, algorithmOk ? algorithm : undefined, counted);
  const algorithmParameters = algorithmOk ? checkAlgorithmParameters(s.algorithmParameters, algorithm, parameters, counted) : undefined;
  const metric = checkMetric(s.metric, counted);
  const parallelTrials = intIn(s.parallelTrials, 'search.parallelTrials', 1, SEARCH_LIMITS.parallelTrials, 1, counted);
  let earlyStopping: SearchEarlyStopping | undefined;
  if (s.earlyStopping !== undefined && s.earlyStopping !== null) {
    if (!isObject(s.earlyStopping)) counted('search.earlyStopping', FieldCode.InvalidType, 'search.earlyStopping must be an object');
    else {
      const e = s.earlyStopping;
      known(e, ['rule', 'warmupSteps', 'minTrials'], 'search.earlyStopping', counted);
      if (e.rule !== undefined && e.rule !== 'median') counted('search.earlyStopping.rule', FieldCode.InvalidFormat, 'search.earlyStopping.rule must be median');
      const warmupSteps = intIn(e.warmupSteps, 'search.earlyStopping.warmupSteps', 1, 10_000, 2, counted);
      const minTrials = intIn(e.minTrials, 'search.earlyStopping.minTrials', 1, SEARCH_LIMITS.numSamples, 3, counted);
      earlyStopping = { rule: 'median', warmupSteps, minTrials };
    }
  }
  if (before.n || !parameters || !algorithmParameters || !metric) return undefined;
  return { algorithm, algorithmParameters, metric, parameters, parallelTrials, ...(earlyStopping ? { earlyStopping } : {}) };
}

function checkParameters(raw: unknown, algorithm: SearchAlgorithm | undefined, add: Add): SearchParameter[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    add('search.parameters', raw === undefined ? FieldCode.Required : FieldCode.InvalidType, 'search.parameters must be a non-empty list');
    return undefined;
  }
  if (raw.length > SEARCH_LIMITS.parameters) {
    add('search.parameters', FieldCode.TooMany, `at most ${SEARCH_LIMITS.parameters} parameters`);
    return undefined;
  }
  const out: SearchParameter[] = [];
  const names = new Set<string>();
  let bad = false;
  raw.forEach((p, i) => {
    const at = `search.parameters[${i}]`;
    const err: Add = (path, code, message) => ((bad = true), add(path, code, message));
    if (!isObject(p)) return err(at, FieldCode.InvalidType, `${at} must be an object`);
    if (typeof p.name !== 'string' || !PARAM_NAME.test(p.name)) return err(`${at}.name`, p.name === undefined ? FieldCode.Required : FieldCode.InvalidFormat, `${at}.name must match ${PARAM_NAME}`);
    if (names.has(p.name)) return err(`${at}.name`, FieldCode.Duplicate, `${p.name} is searched twice`);
    names.add(p.name);
    if (p.type === 'categorical') {
      known(p, ['name', 'type', 'choices'], at, err);
      const choices = p.choices;
      if (!Array.isArray(choices) || choices.length === 0) return err(`${at}.choices`, choices === undefined ? FieldCode.Required : FieldCode.InvalidType, `${at}.choices must be a non-empty list`);
      if (choices.length > SEARCH_LIMITS.choices) return err(`${at}.choices`, FieldCode.TooMany, `at most ${SEARCH_LIMITS.choices} choices`);
      const texts: string[] = [];
      for (const [j, c] of choices.entries()) {
        if (typeof c !== 'string' && typeof c !== 'number' && typeof c !== 'boolean') return err(`${at}.choices[${j}]`, FieldCode.InvalidType, 'a choice is a string, number or boolean');
        const t = String(c);
        if (t.length > 256) return err(`${at}.choices[${j}]`, FieldCode.TooLong, 'a choice is at most 256 characters');
        if (texts.includes(t)) return err(`${at}.choices[${j}]`, FieldCode.Duplicate, `${t} is a choice twice`);
        texts.push(t);
      }
      out.push({ name: p.name, type: 'categorical', choices: texts });
      return;
    }
    if (p.type !== 'float' && p.type !== 'int') return err(`${at}.type`, p.type === undefined ? FieldCode.Required : FieldCode.InvalidFormat, `${at}.type must be float, int or categorical`);
    known(p, p.type === 'float' ? ['name', 'type', 'min', 'max', 'log', 'steps'] : ['name', 'type', 'min', 'max', 'log', 'step'], at, err);
    const int = p.type === 'int';
    for (const k of ['min', 'max'] as const) {
      const v = p[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) return err(`${at}.${k}`, v === undefined ? FieldCode.Required : FieldCode.InvalidType, `${at}.${k} must be a finite number`);
      if (int && !Number.isSafeInteger(v)) return err(`${at}.${k}`, FieldCode.InvalidType, `${at}.${k} must be an integer`);
    }
    const min = p.min as number;
    const max = p.max as number;
    if (!(min < max)) return err(`${at}.max`, FieldCode.OutOfRange, `${at}.max must be greater than min`);
    if (p.log !== undefined && typeof p.log !== 'boolean') return err(`${at}.log`, FieldCode.InvalidType, `${at}.log must be true or false`);
    if (p.log && min <= 0) return err(`${at}.min`, FieldCode.OutOfRange, `${at}.min must be above 0 on a log scale`);
    if (p.type === 'float') {
      if (p.steps !== undefined && (typeof p.steps !== 'number' || !Number.isInteger(p.steps) || p.steps < 2 || p.steps > SEARCH_LIMITS.gridSteps)) return err(`${at}.steps`, FieldCode.OutOfRange, `${at}.steps must be an integer from 2 to ${SEARCH_LIMITS.gridSteps}`);
      out.push({ name: p.name, type: 'float', min, max, ...(p.log ? { log: true } : {}), ...(p.steps !== undefined ? { steps: p.steps as number } : {}) });
    } else {
      if (p.step !== undefined && (typeof p.step !== 'number' || !Number.isSafeInteger(p.step) || p.step < 1)) return err(`${at}.step`, FieldCode.OutOfRange, `${at}.step must be a positive integer`);
      if (p.log && p.step !== undefined && p.step !== 1) return err(`${at}.step`, FieldCode.Conflict, 'a log-scale int has step 1');
      out.push({ name: p.name, type: 'int', min, max, ...(p.log ? { log: true } : {}), ...(p.step !== undefined ? { step: p.step as number } : {}) });
    }
  });
  if (!bad && algorithm !== 'grid' && raw.some((p) => isObject(p) && (p.steps !== undefined || p.step !== undefined) && p.type === 'float')) {
    add('search.parameters', FieldCode.Conflict, 'steps is for grid searches only');
    return undefined;
  }
  return bad ? undefined : out;
}

function checkAlgorithmParameters(raw: unknown, algorithm: SearchAlgorithm, parameters: SearchParameter[] | undefined, add: Add): SearchAlgorithmParameters | undefined {
  const at = 'search.algorithmParameters';
  const r = raw === undefined || raw === null ? {} : raw;
  if (!isObject(r)) {
    add(at, FieldCode.InvalidType, `${at} must be an object`);
    return undefined;
  }
  const allowed = ALGORITHM_PARAMETERS[algorithm];
  let bad = false;
  const err: Add = (p, c, m) => ((bad = true), add(p, c, m));
  for (const k of Object.keys(r)) if (!(allowed as readonly string[]).includes(k)) err(`${at}.${k}`, FieldCode.Unknown, `${algorithm} takes ${allowed.join(', ')}`);
  const gridSize = algorithm === 'grid' && parameters ? gridCount(parameters) : undefined;
  if (r.num_samples === undefined && algorithm !== 'grid') err(`${at}.num_samples`, FieldCode.Required, `${at}.num_samples (the number of trials) is required`);
  const out: SearchAlgorithmParameters = {
    num_samples: intIn(r.num_samples, `${at}.num_samples`, 1, SEARCH_LIMITS.numSamples, Math.min(gridSize ?? 1, SEARCH_LIMITS.numSamples), err),
  };
  if (algorithm === 'grid' && gridSize !== undefined && r.num_samples === undefined && gridSize > SEARCH_LIMITS.numSamples) err(`${at}.num_samples`, FieldCode.OutOfRange, `the grid has ${gridSize} points, more than ${SEARCH_LIMITS.numSamples}: set num_samples`);
  if (r.seed !== undefined) out.seed = intIn(r.seed, `${at}.seed`, 0, 2 ** 31 - 1, 0, err);
  if (algorithm === 'bayes_opt_search') {
    if (r.kind !== undefined && !['ucb', 'ei', 'poi'].includes(r.kind as string)) err(`${at}.kind`, FieldCode.InvalidFormat, `${at}.kind must be ucb, ei or poi`);
    out.kind = (r.kind as 'ucb' | 'ei' | 'poi' | undefined) ?? 'ucb';
    out.kappa = numIn(r.kappa, `${at}.kappa`, 0, 100, 2.576, err);
    out.xi = numIn(r.xi, `${at}.xi`, 0, 10, 0, err);
    out.n_initial_points = intIn(r.n_initial_points, `${at}.n_initial_points`, 1, SEARCH_LIMITS.numSamples, 5, err);
  }
  if (algorithm === 'tpe_search') {
    out.n_initial_points = intIn(r.n_initial_points, `${at}.n_initial_points`, 1, SEARCH_LIMITS.numSamples, 10, err);
    out.gamma = numIn(r.gamma, `${at}.gamma`, 0, 1, 0.25, err, true);
  }
  if (algorithm === 'anneal_search') {
    out.avg_best_idx = numIn(r.avg_best_idx, `${at}.avg_best_idx`, 1, SEARCH_LIMITS.numSamples, 2, err);
    out.shrink_coef = numIn(r.shrink_coef, `${at}.shrink_coef`, 0, 100, 0.1, err, true);
  }
  return bad ? undefined : out;
}

function checkMetric(raw: unknown, add: Add): SearchMetric | undefined {
  const at = 'search.metric';
  if (!isObject(raw)) {
    add(at, raw === undefined ? FieldCode.Required : FieldCode.InvalidType, `${at} must be an object with a name and a direction`);
    return undefined;
  }
  let bad = false;
  const err: Add = (p, c, m) => ((bad = true), add(p, c, m));
  known(raw, ['name', 'direction', 'regex'], at, err);
  if (typeof raw.name !== 'string' || !/^[A-Za-z0-9_./-]{1,64}$/.test(raw.name)) err(`${at}.name`, raw.name === undefined ? FieldCode.Required : FieldCode.InvalidFormat, `${at}.name must be the metric's name as the code prints it (letters, digits, _ . / -)`);
  const direction = raw.direction === 'max' ? 'maximize' : raw.direction === 'min' ? 'minimize' : raw.direction;
  if (direction !== 'minimize' && direction !== 'maximize') err(`${at}.direction`, raw.direction === undefined ? FieldCode.Required : FieldCode.InvalidFormat, `${at}.direction must be minimize or maximize`);
  let regex = typeof raw.name === 'string' ? metricRegexFor(raw.name) : '';
  if (raw.regex !== undefined) {
    if (typeof raw.regex !== 'string' || raw.regex.length === 0) err(`${at}.regex`, FieldCode.InvalidType, `${at}.regex must be a regular expression`);
    else if (raw.regex.length > SEARCH_LIMITS.regexChars) err(`${at}.regex`, FieldCode.TooLong, `${at}.regex is longer than ${SEARCH_LIMITS.regexChars} characters`);
    else {
      const groups = captureGroups(raw.regex);
      if (groups === undefined) err(`${at}.regex`, FieldCode.InvalidFormat, `${at}.regex is not a valid regular expression`);
      else if (groups === 0) err(`${at}.regex`, FieldCode.InvalidFormat, `${at}.regex needs a capture group around the number, e.g. loss=([-+0-9.eE]+)`);
      else regex = raw.regex;
    }
  }
  return bad ? undefined : { name: raw.name as string, direction: direction as SearchMetric['direction'], regex };
}

/** Capture groups of a regex source, or undefined when it does not compile. */
function captureGroups(source: string): number | undefined {
  try {
    return (new RegExp(`${source}|`).exec('') as RegExpExecArray).length - 1;
  } catch {
    return undefined;
  }
}

function intIn(v: unknown, path: string, min: number, max: number, fallback: number, add: Add): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    add(path, FieldCode.InvalidType, `${path} must be an integer`);
    return fallback;
  }
  if (v < min || v > max) add(path, FieldCode.OutOfRange, `${path} must be from ${min} to ${max}`);
  return v;
}

/** `open`: the bounds themselves are out (gamma in (0, 1)). */
function numIn(v: unknown, path: string, min: number, max: number, fallback: number, add: Add, open = false): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    add(path, FieldCode.InvalidType, `${path} must be a number`);
    return fallback;
  }
  if (open ? v <= min || v >= max : v < min || v > max) add(path, FieldCode.OutOfRange, `${path} must be ${open ? 'between' : 'from'} ${min} ${open ? 'and' : 'to'} ${max}${open ? ' (exclusive)' : ''}`);
  return v;
}

function known(o: Record<string, unknown>, keys: readonly string[], at: string, add: Add): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) add(at ? `${at}.${k}` : k, FieldCode.Unknown, `${k} is not a field here (${keys.join(', ')})`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
