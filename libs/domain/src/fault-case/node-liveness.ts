/**
 * A node's liveness from its heartbeats (decision 6: liveness is not an event; only its consequences
 * are). `suspect` once nothing was heard for `leaseMs`; `lost` after `graceMs` more.
 *
 * ```
 *   alive ──(lease)──► suspect ──(grace)──► lost
 *     ▲                   │                   │
 *     └── a heartbeat ────┴───────────────────┘
 * ```
 */
export type NodeLiveness = 'alive' | 'suspect' | 'lost' | 'unknown';

export interface LivenessTimes {
  /** Silence after which a node is suspect (no new work). */
  leaseMs: number;
  /** Further silence after which it is lost (its tasks are recovered). */
  graceMs: number;
}

/**
 * The liveness of a node last heard at `lastHeardMs` (local receive time, so clock skew between
 * machines cannot fake a death), seen at `nowMs`. `undefined`: never heard since the observer started.
 *
 * @example
 * ```ts
 * nodeLiveness(1_000, 5_500, { leaseMs: 3_000, graceMs: 2_000 }) // 'suspect'
 * ```
 */
export function nodeLiveness(lastHeardMs: number | undefined, nowMs: number, t: LivenessTimes): NodeLiveness {
  if (lastHeardMs === undefined) return 'unknown';
  const silent = nowMs - lastHeardMs;
  if (silent < t.leaseMs) return 'alive';
  return silent < t.leaseMs + t.graceMs ? 'suspect' : 'lost';
}
