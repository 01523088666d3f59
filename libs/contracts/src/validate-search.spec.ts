import { describe, expect, it } from 'vitest';
import { gridCount } from './search-grid';
import { metricRegexFor } from './search-spec';
import { validateSearch } from './validate-search';

const job = { kind: 'job', metadata: { name: 'quad' }, algorithm: { codeDir: '.', command: 'python3 q.py' }, spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 64 }, nodeCount: 1 } } };
const doc = (search: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  kind: 'search',
  metadata: { name: 'quad' },
  search: { algorithm: 'tpe_search', algorithmParameters: { num_samples: 12 }, metric: { name: 'loss', direction: 'minimize' }, parameters: [{ name: 'x', type: 'float', min: -5, max: 5 }], ...search },
  job,
  ...extra,
});
const errorsOf = (input: unknown) => {
  const r = validateSearch(input);
  return r.ok ? [] : r.errors.map((e) => `${e.path} ${e.code}`);
};

describe('validateSearch', () => {
  it('validateSearch - a tpe search gets the guide’s defaults and a metric regex made from its name', () => {
    const r = validateSearch(doc({}));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.metadata).toEqual({ name: 'quad', project: 'default' });
    expect(r.spec.search.algorithmParameters).toEqual({ num_samples: 12, n_initial_points: 10, gamma: 0.25 });
    expect(r.spec.search.parallelTrials).toBe(1);
    expect(r.spec.search.metric.regex).toBe(metricRegexFor('loss'));
  });

  it('validateSearch - each algorithm takes only its own parameters, in their ranges', () => {
    expect(errorsOf(doc({ algorithmParameters: { num_samples: 12, gamma: 1 } }))).toEqual(['search.algorithmParameters.gamma OUT_OF_RANGE']);
    expect(errorsOf(doc({ algorithmParameters: { num_samples: 12, kappa: 2 } }))).toEqual(['search.algorithmParameters.kappa UNKNOWN_FIELD']);
    expect(errorsOf(doc({ algorithm: 'bayes_opt_search', algorithmParameters: { num_samples: 5, kind: 'pi' } }))).toEqual(['search.algorithmParameters.kind INVALID_FORMAT']);
    expect(errorsOf(doc({ algorithm: 'anneal_search', algorithmParameters: { num_samples: 5, avg_best_idx: 0.5 } }))).toEqual(['search.algorithmParameters.avg_best_idx OUT_OF_RANGE']);
    expect(errorsOf(doc({ algorithmParameters: {} }))).toEqual(['search.algorithmParameters.num_samples REQUIRED']);
    expect(errorsOf(doc({ algorithm: 'hyperband' }))).toEqual(['search.algorithm INVALID_FORMAT']);
    const bayes = validateSearch(doc({ algorithm: 'bayes_opt_search', algorithmParameters: { num_samples: 8 } }));
    expect(bayes.ok && bayes.spec.search.algorithmParameters).toEqual({ num_samples: 8, kind: 'ucb', kappa: 2.576, xi: 0, n_initial_points: 5 });
  });

  it('validateSearch - parameters: ranges, log scales above zero, distinct names and choices', () => {
    const bad = errorsOf(doc({
      parameters: [
        { name: 'x', type: 'float', min: 1, max: 1 },
        { name: 'lr', type: 'float', min: 0, max: 1, log: true },
        { name: 'n', type: 'int', min: 1.5, max: 4 },
        { name: 'opt', type: 'categorical', choices: ['sgd', 'sgd'] },
        { name: 'opt', type: 'categorical', choices: ['a'] },
        { name: 'bad name', type: 'float', min: 0, max: 1 },
        { name: 'k', type: 'normal' },
      ],
    }));
    expect(bad).toEqual([
      'search.parameters[0].max OUT_OF_RANGE',
      'search.parameters[1].min OUT_OF_RANGE',
      'search.parameters[2].min INVALID_TYPE',
      'search.parameters[3].choices[1] DUPLICATE',
      'search.parameters[4].name DUPLICATE',
      'search.parameters[5].name INVALID_FORMAT',
      'search.parameters[6].type INVALID_FORMAT',
    ]);
  });

  it('validateSearch - a metric regex must compile and capture the number', () => {
    expect(errorsOf(doc({ metric: { name: 'loss', direction: 'minimize', regex: 'loss=[0-9.]+' } }))).toEqual(['search.metric.regex INVALID_FORMAT']);
    expect(errorsOf(doc({ metric: { name: 'loss', direction: 'minimize', regex: 'loss=([0-9.]+' } }))).toEqual(['search.metric.regex INVALID_FORMAT']);
    expect(errorsOf(doc({ metric: { name: 'acc', direction: 'up' } }))).toEqual(['search.metric.direction INVALID_FORMAT']);
    const ok = validateSearch(doc({ metric: { name: 'acc', direction: 'max', regex: 'acc=(?<value>[0-9.]+)' } }));
    expect(ok.ok && ok.spec.search.metric).toEqual({ name: 'acc', direction: 'maximize', regex: 'acc=(?<value>[0-9.]+)' });
  });

  it('validateSearch - a grid counts its points: num_samples defaults to them, and a too large grid must name a budget', () => {
    const params = [{ name: 'x', type: 'float', min: 0, max: 1, steps: 3 }, { name: 'n', type: 'int', min: 1, max: 4 }, { name: 'o', type: 'categorical', choices: ['a', 'b'] }];
    const r = validateSearch(doc({ algorithm: 'grid', algorithmParameters: {}, parameters: params }));
    expect(r.ok && r.spec.search.algorithmParameters.num_samples).toBe(24);
    expect(errorsOf(doc({ algorithm: 'grid', algorithmParameters: {}, parameters: [{ name: 'n', type: 'int', min: 0, max: 5000 }] }))).toEqual(['search.algorithmParameters.num_samples OUT_OF_RANGE']);
    expect(errorsOf(doc({ parameters: [{ name: 'x', type: 'float', min: 0, max: 1, steps: 3 }] }))).toEqual(['search.parameters CONFLICTING_FIELDS']);
    expect(gridCount([{ name: 'n', type: 'int', min: 1, max: 1000, log: true }])).toBe(5);
  });

  it('validateSearch - the document: kind, metadata, a trial template, no unknown fields, storable text', () => {
    expect(errorsOf({ ...doc({}), kind: 'job' })).toEqual(['kind INVALID_FORMAT']);
    expect(errorsOf({ ...doc({}), job: undefined })).toEqual(['job REQUIRED']);
    expect(errorsOf({ ...doc({}), extra: 1 })).toEqual(['extra UNKNOWN_FIELD']);
    expect(errorsOf({ ...doc({}), metadata: { name: 'quad', project: 'Not A Project!' } })).toEqual(['metadata.project INVALID_FORMAT']);
    expect(errorsOf(doc({ parallelTrials: 0 }))).toEqual(['search.parallelTrials OUT_OF_RANGE']);
    expect(errorsOf({ ...doc({}), metadata: { name: 'q\u0000' } })).toEqual(['metadata.name INVALID_TEXT']);
    expect(errorsOf(null)).toEqual([' INVALID_TYPE']);
  });

  it('metricRegexFor - matches the guide’s styles of printing a metric, not a longer name', () => {
    const re = new RegExp(metricRegexFor('loss'));
    expect(re.exec('epoch 3 loss=0.25')?.[1]).toBe('0.25');
    expect(re.exec('loss: -1.5e-3 acc 0.9')?.[1]).toBe('-1.5e-3');
    expect(re.exec('val_loss=0.3')).toBeNull();
  });
});
