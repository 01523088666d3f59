/**
 * The final metrics of a run, read from its log as training scripts print them: `name=number` pairs
 * (`epoch=2 loss=0.7290 acc=91.5`), the last value of each name winning. Names are identifiers
 * (`[A-Za-z_][A-Za-z0-9_./-]*`); values are decimal numbers (sign, fraction and exponent allowed).
 * What a line says in other forms (`loss: 0.4`, JSON) is not read: one convention, stated in the
 * docs, beats guessing.
 *
 * @example
 * ```ts
 * finalMetrics(['epoch=0 loss=0.9', 'epoch=1 loss=0.81', 'done']) // { epoch: 1, loss: 0.81 }
 * ```
 */
export function finalMetrics(lines: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const pair = /(?:^|[\s,;(\[{])([A-Za-z_][A-Za-z0-9_./-]{0,63})=(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?=$|[\s,;)\]}])/g;
  for (const line of lines) {
    for (const m of line.matchAll(pair)) {
      const value = Number(m[2]);
      if (Number.isFinite(value)) out[m[1]] = value;
    }
  }
  return out;
}
