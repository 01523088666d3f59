import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finalMetrics } from './final-metrics';

describe('final metrics - name=number pairs from a log, the last value wins', () => {
  it('reads the hello example and the usual spellings', () => {
    expect(finalMetrics(['rank=0 world=2', 'hosts=a,b start_count=1', 'epoch=0 loss=0.9000', 'epoch=1 loss=0.8100', 'done'])).toEqual({ rank: 0, world: 2, start_count: 1, epoch: 1, loss: 0.81 });
    expect(finalMetrics(['val/acc=91.5, lr=1e-3 (step=10)'])).toEqual({ 'val/acc': 91.5, lr: 0.001, step: 10 });
  });

  it('ignores what is not a pair of a name and a number', () => {
    expect(finalMetrics(['path=/srv/data loss=nan x=1.2.3 url=http://a?b=1 =3 a==4 speed=10ms'])).toEqual({});
  });

  it('the last printed value of every name is its final value', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('loss', 'acc', 'epoch'), fc.integer({ min: -1000, max: 1000 })), { minLength: 1 }), (pairs) => {
        const got = finalMetrics(pairs.map(([k, v]) => `${k}=${v}`));
        const want: Record<string, number> = {};
        for (const [k, v] of pairs) want[k] = v;
        expect(got).toEqual(want);
      }),
    );
  });
});
