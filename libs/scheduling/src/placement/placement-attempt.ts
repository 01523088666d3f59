import type { AffinityGroupCount, ResourceAmounts } from '../plan';

/**
 * The outcome of placing one gang. On success the changes are applied to the pool index inside a
 * change set opened at `mark`: the caller keeps or rolls it back.
 */
export type PlacementAttempt =
  | { ok: true; slots: number[]; mark: number; groups?: AffinityGroupCount }
  | {
      ok: false;
      placed: number;
      groups?: AffinityGroupCount;
      /** Shortfall of the instance that found no room, measured before the gang was undone. */
      deficit?: ResourceAmounts;
    };
