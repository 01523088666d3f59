import { selectorMatches } from '../queue/job-request';
import type { NodeScorer } from './node-scorer';

/** 避免部署 (weak anti-affinity): −1 for every preferred anti-affinity rule the node matches. */
export const preferredAntiAffinityScorer: NodeScorer = {
  name: 'preferred-anti-affinity',
  stage: 'static',
  score: (pool, i, job) => {
    let s = 0;
    for (const sel of job.avoided) if (selectorMatches(sel, pool.ids[i], pool.labels[i])) s--;
    return s;
  },
};
