import type { SupernodeScorer } from './node-scorer';

/**
 * Preference first, then best fit over supernodes: the supernode with the fewest free whole nodes
 * that still hold a group, so whole free supernodes stay open for larger groups.
 */
export const supernodeFitScorer: SupernodeScorer = {
  name: 'supernode-fit',
  score: (freeWhole, _groupSize, preference) => preference * 1e6 - freeWhole,
};
