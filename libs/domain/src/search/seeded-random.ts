/** A seeded uniform draw in [0, 1) (mulberry32): the same seed gives the same trials, in tests and after a restart. */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for trial `trial` of a search seeded `seed`: each trial's draws are its own. */
export const trialSeed = (seed: number, trial: number) => (Math.imul(seed ^ 0x9e3779b9, 2654435761) + Math.imul(trial, 40503)) >>> 0;
