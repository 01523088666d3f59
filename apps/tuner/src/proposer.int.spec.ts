import { validateSearch, type SearchSpec } from '@trainyard/contracts';
import { inSpace } from '@trainyard/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { OptimiserProcess } from './optimiser-process';
import { type Proposer, proposerBroken, proposerFor } from './proposer';

const SPACE = [{ name: 'x', type: 'float', min: -5, max: 5 }, { name: 'lr', type: 'float', min: 1e-4, max: 1, log: true }, { name: 'n', type: 'int', min: 1, max: 9, step: 2 }, { name: 'o', type: 'categorical', choices: ['sgd', 'adam'] }];
const spec = (algorithm: string, algorithmParameters: Record<string, unknown>, parameters: unknown[] = SPACE): SearchSpec => {
  const r = validateSearch({
    kind: 'search',
    metadata: { name: 'quad' },
    search: {
      algorithm, algorithmParameters, metric: { name: 'loss', direction: 'minimize' }, parallelTrials: 2,
      parameters,
    },
    job: {},
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
};
const loss = (v: Record<string, number | string>) => ((v.x as number) - 1.5) ** 2 + (v.o === 'sgd' ? 1 : 0);

const open: Proposer[] = [];
afterEach(() => open.splice(0).forEach((p) => p.close()));

/** Asks and tells `n` trials one after another; the best loss found. */
async function run(p: Proposer, s: SearchSpec, n: number): Promise<number> {
  let best = Infinity;
  for (let t = 1; t <= n; t++) {
    const values = (await p.ask(t))!;
    expect(inSpace(s.search.parameters, values)).toBe(true);
    const value = loss(values);
    best = Math.min(best, value);
    await p.tell({ trial: t, values, state: 'complete', value, intermediate: [] });
  }
  return best;
}

describe('optimiser bridge (real /usr/bin/python3 with optuna and scikit-learn)', () => {
  it('tpe_search - optuna’s TPE proposes values in the space and closes in on the optimum', async () => {
    const s = spec('tpe_search', { num_samples: 30, n_initial_points: 5, seed: 3 });
    const p = proposerFor(s, 3);
    open.push(p);
    expect(await run(p, s, 30)).toBeLessThan(0.5);
  }, 60_000);

  it('bayes_opt_search - each acquisition function (ucb with kappa, ei and poi with xi) proposes in the space and finds the optimum', async () => {
    const x = [{ name: 'x', type: 'float', min: -5, max: 5 }];
    for (const [kind, extra] of [['ucb', { kappa: 1 }], ['ei', { xi: 0.01 }], ['poi', { xi: 0.5 }]] as const) {
      const s = spec('bayes_opt_search', { num_samples: 12, kind, n_initial_points: 3, seed: 1, ...extra }, x);
      const p = proposerFor(s, 1);
      open.push(p);
      expect(await run(p, s, 12), kind).toBeLessThan(0.2);
    }
    // The whole mixed space: values in it, floats, log floats, stepped ints and choices.
    const mixed = spec('bayes_opt_search', { num_samples: 8, n_initial_points: 3 });
    const p = proposerFor(mixed, 2);
    open.push(p);
    expect(await run(p, mixed, 8)).toBeLessThan(Infinity);
  }, 120_000);

  it('tpe_search - a new process told the past trials (a restart) asks for a new trial as if it had run them', async () => {
    const s = spec('tpe_search', { num_samples: 20, n_initial_points: 3, seed: 5 });
    const first = proposerFor(s, 5);
    open.push(first);
    const told: { trial: number; values: Record<string, number | string>; value: number }[] = [];
    for (let t = 1; t <= 8; t++) {
      const values = (await first.ask(t))!;
      told.push({ trial: t, values, value: loss(values) });
      await first.tell({ trial: t, values, state: t === 4 ? 'pruned' : t === 5 ? 'fail' : 'complete', value: loss(values), intermediate: [[1, loss(values)]] });
    }
    first.close();
    const second = proposerFor(s, 5);
    open.push(second);
    for (const r of told) await second.tell({ trial: r.trial, values: r.values, state: r.trial === 4 ? 'pruned' : r.trial === 5 ? 'fail' : 'complete', value: r.value, intermediate: [[1, r.value]] });
    await second.tell({ trial: 9, values: { x: 1, lr: 0.01, n: 3, o: 'adam' }, state: 'running', intermediate: [] });
    // Asking a trial twice gives the same values (a tuner that retries the ask before it recorded the trial).
    const a = await second.ask(10);
    expect(await second.ask(10)).toEqual(a);
    expect(inSpace(s.search.parameters, a!)).toBe(true);
    await second.tell({ trial: 9, values: { x: 1, lr: 0.01, n: 3, o: 'adam' }, state: 'complete', value: 0.25, intermediate: [] });
    expect(inSpace(s.search.parameters, (await second.ask(11))!)).toBe(true);
  }, 60_000);

  it('OptimiserProcess - an error is an answer; a dead child fails its requests and says why', async () => {
    const p = new OptimiserProcess();
    await expect(p.request({ op: 'ask', trial: 1 })).rejects.toThrow('init first');
    await expect(p.request({ op: 'init', algorithm: 'hyperband', space: [], direction: 'minimize' })).rejects.toThrow(/KeyError/);
    p.close();
    await expect(p.request({ op: 'ask', trial: 1 })).rejects.toThrow('closed');
    const missing = new OptimiserProcess({ script: '/nonexistent/optimiser.py' });
    await expect(missing.request({ op: 'init' })).rejects.toThrow(/exited/);
    expect(missing.dead).toMatch(/exited/);
  });

  it('anneal, grid, random - proposed here, in the space, the same for the same seed', async () => {
    for (const [algorithm, params] of [['anneal_search', { num_samples: 10 }], ['random', { num_samples: 10 }], ['grid', { num_samples: 10 }]] as const) {
      const s = spec(algorithm, params);
      const a = proposerFor(s, 9);
      const b = proposerFor(s, 9);
      expect(proposerBroken(a)).toBeUndefined();
      const best = await run(a, s, 10);
      expect(best).toBeLessThan(Infinity);
      for (let t = 1; t <= 10; t++) {
        const values = (await a.ask(t))!;
        await b.tell({ trial: t, values, state: 'complete', value: loss(values), intermediate: [] });
      }
      expect(await b.ask(3)).toEqual(await a.ask(3));
    }
    expect(await proposerFor(spec('grid', { num_samples: 10 }), 1).ask(11)).toBeUndefined();
  });
});
