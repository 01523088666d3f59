import { selectorMatches } from '../queue/job-request';
import type { NodeScorer } from './node-scorer';

/** 尽量部署 (weak affinity): +1 for every preferred affinity rule the node matches. */
export const preferredAffinityScorer: NodeScorer = {
  name: 'preferred-affinity',
  stage: 'static',
  score: (pool, i, job) => {
    let s = 0;
    for (const sel of job.preferred) if (selectorMatches(sel, pool.ids[i], pool.labels[i])) s++;
    return s;
  },
};
