import type { NodeScorer } from './node-scorer';

/**
 * Nodes to avoid for this attempt (a pre-check failed there on healthy hardware, ch12 §2.2 scenario 2:
 * "randomly re-assign nodes", no isolation). Weighed below every preference the user stated, so the
 * job goes elsewhere whenever another node can take it, and comes back only as a last resort.
 */
export const avoidNodesScorer: NodeScorer = {
  name: 'avoid-nodes',
  stage: 'static',
  score: (pool, i, job) => (job.avoidNodes.has(pool.ids[i]) ? -(1 + job.preferred.length + job.avoided.length) : 0),
};
