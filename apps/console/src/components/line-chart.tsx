import { formatTime } from '../format/time';

export interface ChartSeries {
  label: string;
  points: Array<[string, number]>;
}

/** Dark enough on white for text and lines (WCAG AA), and told apart by dash too. */
const COLORS = ['#0b57d0', '#b3261e', '#146c2e', '#7d5260', '#8a4b00', '#4a4458'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '4 4', '1 2'];
const W = 640;
const H = 200;
const PAD = { l: 48, r: 12, t: 10, b: 26 };

/**
 * A small SVG line chart (one line per series) with its axes' ends labelled and a legend with each
 * series' latest value. No chart library: the console's whole bundle must stay small.
 */
export function LineChart({ title, unit, series, max, days }: { title: string; unit: string; series: ChartSeries[]; max?: number; /** Label the time axis with dates (a daily trend). */ days?: boolean }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return null;
  const times = all.map(([t]) => Date.parse(t));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1000);
  const top = max ?? niceMax(Math.max(...all.map(([, v]) => v), 0));
  const x = (t: string) => PAD.l + ((Date.parse(t) - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v: number) => PAD.t + (1 - v / (top || 1)) * (H - PAD.t - PAD.b);
  const latest = series.map((s) => s.points.at(-1)?.[1]);
  const summary = `${title}: ${series.map((s, i) => `${s.label} ${fmt(latest[i])} ${unit}`).join(', ')}`;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1={PAD.l} y1={y(0)} x2={W - PAD.r} y2={y(0)} className="axis" />
        <line x1={PAD.l} y1={PAD.t} x2={PAD.l} y2={y(0)} className="axis" />
        <line x1={PAD.l} y1={y(top / 2)} x2={W - PAD.r} y2={y(top / 2)} className="grid" />
        <text x={PAD.l - 6} y={y(top) + 4} textAnchor="end">{fmt(top)}</text>
        <text x={PAD.l - 6} y={y(top / 2) + 4} textAnchor="end">{fmt(top / 2)}</text>
        <text x={PAD.l - 6} y={y(0) + 4} textAnchor="end">0</text>
        <text x={PAD.l} y={H - 6}>{axisTime(t0, days)}</text>
        <text x={W - PAD.r} y={H - 6} textAnchor="end">{axisTime(t1, days)}</text>
        {series.map((s, i) => (
          <polyline
            key={s.label}
            fill="none"
            stroke={COLORS[i % COLORS.length]}
            strokeDasharray={DASHES[i % DASHES.length]}
            strokeWidth={2}
            points={s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
          />
        ))}
        {/* Few points: mark each, so a single one is seen too. */}
        {series.map((s, i) =>
          s.points.length <= 60 ? s.points.map(([t, v]) => <circle key={`${s.label}-${t}`} cx={x(t)} cy={y(v)} r={3} fill={COLORS[i % COLORS.length]} />) : null,
        )}
      </svg>
      <ul className="legend">
        {series.map((s, i) => (
          <li key={s.label}>
            <svg width="24" height="10" aria-hidden="true">
              <line x1="0" y1="5" x2="24" y2="5" stroke={COLORS[i % COLORS.length]} strokeDasharray={DASHES[i % DASHES.length]} strokeWidth={2} />
            </svg>
            {s.label}: {fmt(latest[i])} {unit}
          </li>
        ))}
      </ul>
    </figure>
  );
}

const axisTime = (t: number, days?: boolean) => (days ? formatTime(new Date(t).toISOString()).slice(5, 10) : formatTime(new Date(t).toISOString()).slice(11));
const fmt = (v: number | undefined) => (v === undefined ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toFixed(2)).toString());

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((n) => n >= v)!;
}
