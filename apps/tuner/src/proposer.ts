import type { SearchSpec, SearchValues } from '@trainyard/contracts';
import { annealValues, drawValues, gridTrialValues, inSpace, seededRandom, trialSeed } from '@trainyard/domain';
import { OptimiserProcess } from './optimiser-process';

/** A trial as the optimiser is told it: finished with a value, failed, stopped early, or running. */
export interface TrialRecord {
  trial: number;
  values: SearchValues;
  state: 'complete' | 'fail' | 'pruned' | 'running';
  value?: number;
  intermediate: [step: number, value: number][];
}

/**
 * What proposes a search's next values. It is told every trial (again, after a restart: the log is
 * the memory, not the optimiser), and asked for trial `n`'s values; `undefined` means the space has
 * no more points (a grid walked through).
 */
export interface Proposer {
  tell(record: TrialRecord): Promise<void>;
  ask(trial: number): Promise<SearchValues | undefined>;
  close(): void;
}

export interface ProposerOptions {
  python?: string;
  script?: string;
  timeoutMs?: number;
}

/** The proposer of a search's algorithm: optuna's TPE and a scikit-learn GP in a child process, the rest here. */
export function proposerFor(spec: SearchSpec, seed: number, options: ProposerOptions = {}): Proposer {
  const s = spec.search;
  switch (s.algorithm) {
    case 'tpe_search':
    case 'bayes_opt_search':
      return new ChildProposer(spec, seed, options);
    case 'anneal_search':
      return new AnnealProposer(spec, seed);
    case 'grid':
      return { tell: async () => undefined, ask: async (trial) => gridTrialValues(s.parameters, s.algorithmParameters.num_samples, seed, trial), close: () => undefined };
    case 'random':
      return { tell: async () => undefined, ask: async (trial) => drawValues(s.parameters, seededRandom(trialSeed(seed, trial))), close: () => undefined };
  }
}

/** `anneal_search`, pure (libs/domain `annealValues`): optuna 3.1 has no annealing sampler. */
class AnnealProposer implements Proposer {
  private readonly finished = new Map<number, { values: SearchValues; value: number }>();

  constructor(private readonly spec: SearchSpec, private readonly seed: number) {}

  async tell(r: TrialRecord): Promise<void> {
    if (r.state === 'complete' && r.value !== undefined) this.finished.set(r.trial, { values: r.values, value: r.value });
  }

  async ask(trial: number): Promise<SearchValues> {
    const s = this.spec.search;
    const p = s.algorithmParameters;
    const finished = [...this.finished.entries()].filter(([t]) => t < trial).map(([, f]) => f);
    return annealValues(s.parameters, finished, s.metric.direction, { avgBestIdx: p.avg_best_idx ?? 2, shrinkCoef: p.shrink_coef ?? 0.1 }, seededRandom(trialSeed(this.seed, trial)));
  }

  close(): void {}
}

/** tpe_search and bayes_opt_search: the optimiser script, initialised at the first request. */
class ChildProposer implements Proposer {
  private readonly process: OptimiserProcess;
  private ready?: Promise<unknown>;

  constructor(private readonly spec: SearchSpec, private readonly seed: number, options: ProposerOptions) {
    this.process = new OptimiserProcess(options);
  }

  /** Why the child is gone, if it is: the tuner then makes a new proposer and tells it everything again. */
  get broken(): string | undefined {
    return this.process.dead;
  }

  async tell(r: TrialRecord): Promise<void> {
    await this.init();
    await this.process.request({ op: 'tell', trial: r.trial, values: r.values, state: r.state, ...(r.value !== undefined ? { value: r.value } : {}), intermediate: r.intermediate });
  }

  async ask(trial: number): Promise<SearchValues> {
    await this.init();
    const answer = await this.process.request({ op: 'ask', trial });
    const values = answer.values as SearchValues;
    if (!values || typeof values !== 'object' || !inSpace(this.spec.search.parameters, values)) throw new Error(`optimiser proposed values outside the space: ${JSON.stringify(values)}`);
    return values;
  }

  close(): void {
    this.process.close();
  }

  private init(): Promise<unknown> {
    const s = this.spec.search;
    this.ready ??= this.process.request({ op: 'init', algorithm: s.algorithm, space: s.parameters, direction: s.metric.direction, params: s.algorithmParameters, seed: this.seed, parallel: s.parallelTrials });
    return this.ready;
  }
}

/** Whether a proposer's child process died (it must be replaced). */
export const proposerBroken = (p: Proposer): string | undefined => (p instanceof ChildProposer ? p.broken : undefined);
