import { fnv1a32 } from '@trainyard/contracts';

/**
 * Ports the guide leaves to the platform (the PyTorch-GPU `--init_method` port, msrun's master port,
 * TensorFlow ps/worker ports) are "random in 5000–10000" (L511-512, L518-519). Every task of a job
 * must agree on them without talking to each other, so "random" is a hash of the job, the attempt and
 * the purpose: stable for one attempt, different across jobs sharing a host.
 */
export const PLATFORM_PORT_RANGE = { min: 5000, max: 10000 } as const;

const SPAN = PLATFORM_PORT_RANGE.max - PLATFORM_PORT_RANGE.min + 1;

/**
 * The `offset`-th port after this job attempt's base port for `purpose`, wrapping inside the range.
 *
 * @example
 * platformPort('a0978141', 1, 'tensorflow-ps', 3) // e.g. 7342
 */
export function platformPort(jobId: string, attempt: number, purpose: string, offset = 0): number {
  return PLATFORM_PORT_RANGE.min + ((fnv1a32(`${jobId}/${attempt}/${purpose}`) + offset) % SPAN);
}
