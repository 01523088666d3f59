import { acceleratorTypeChecker } from './feasibility/accelerator-type-checker';
import type { FeasibilityChecker } from './feasibility/feasibility-checker';
import { freeCapacityChecker } from './feasibility/free-capacity-checker';
import { nodeSizeChecker } from './feasibility/node-size-checker';
import { requiredAffinityChecker } from './feasibility/required-affinity-checker';
import { requiredAntiAffinityChecker } from './feasibility/required-anti-affinity-checker';
import { reservationChecker } from './feasibility/reservation-checker';
import { schedulableChecker } from './feasibility/schedulable-checker';
import { supernodeChecker } from './feasibility/supernode-checker';
import { wholeNodeChecker } from './feasibility/whole-node-checker';
import { binPackScorer } from './ranking/bin-pack-scorer';
import type { NodeScorer, SupernodeScorer } from './ranking/node-scorer';
import { preferredAffinityScorer } from './ranking/preferred-affinity-scorer';
import { preferredAntiAffinityScorer } from './ranking/preferred-anti-affinity-scorer';
import { avoidNodesScorer } from './ranking/avoid-nodes-scorer';
import { supernodeFitScorer } from './ranking/supernode-fit-scorer';

/**
 * The placement pipeline: which checkers and scorers run, in which order. Everything the planner
 * does to choose a node goes through one of these, so a new rule is one file plus one line here.
 *
 * @example
 * ```ts
 * const stack = createGangStack({ extraStaticCheckers: [quotaChecker] });
 * planGangs(view, { stack });
 * ```
 */
export interface GangStack {
  /** Run once per pool and job shape; the result is cached as a bitset of eligible nodes. */
  readonly staticCheckers: readonly FeasibilityChecker[];
  /** Run on every candidate, in order; the first rejection names the reason. */
  readonly dynamicCheckers: readonly FeasibilityChecker[];
  /** Split eligible nodes into preference tiers, searched best first. */
  readonly staticScorers: readonly NodeScorer[];
  /** Rank the candidates inside a tier. */
  readonly dynamicScorers: readonly NodeScorer[];
  readonly supernodeScorer: SupernodeScorer;
  /** Feasible candidates ranked per instance before the best is taken (Nomad's `LimitIterator`). */
  readonly candidateLimit: number;
}

export interface GangStackOptions {
  candidateLimit?: number;
  /** Plug-ins (quotas, maintenance windows…) run after the built-in static checkers. */
  extraStaticCheckers?: readonly FeasibilityChecker[];
}

export function createGangStack(options: GangStackOptions = {}): GangStack {
  return {
    // Cheapest and most selective first, so most nodes are rejected by a single comparison; the
    // size check comes last so that a job rejected only by it is told "too large" (NEVER_FITS
    // INSTANCE_TOO_LARGE) rather than "no eligible node".
    staticCheckers: [
      schedulableChecker,
      acceleratorTypeChecker,
      supernodeChecker,
      requiredAffinityChecker,
      requiredAntiAffinityChecker,
      ...(options.extraStaticCheckers ?? []),
      nodeSizeChecker,
    ],
    // Ownership before capacity (a node owned whole is out whatever it has free); capacity before
    // holds, so RESERVED_FOR_OTHER_JOB is only recorded where the job would otherwise fit — that is
    // what tells BEHIND_IN_QUEUE apart from INSUFFICIENT_RESOURCES.
    dynamicCheckers: [wholeNodeChecker, freeCapacityChecker, reservationChecker],
    // User intent beats packing: the affinity tiers are searched first, bin packing ranks within.
    staticScorers: [preferredAffinityScorer, preferredAntiAffinityScorer, avoidNodesScorer],
    dynamicScorers: [binPackScorer],
    supernodeScorer: supernodeFitScorer,
    // Candidates come in best-fit order already (accelerator level, then slot); a few more let bin
    // packing weigh cores and memory without scanning the pool. Nomad uses 2 for batch jobs.
    candidateLimit: options.candidateLimit ?? 4,
  };
}
