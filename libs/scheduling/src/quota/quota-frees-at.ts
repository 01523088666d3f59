import type { RunningEntry } from '../planning/pool-state';
import type { JobRequest } from '../queue/job-request';
import { chargeOf, type QuotaLedger } from './quota-ledger';
import { DEFAULT_PROJECT } from './quota-policy';

/**
 * When would the job's quota have room, if the pool's running jobs of its project and its cohort
 * ended as expected (`squeue --start` for quota)? Epoch ms; null when a job it waits for has no
 * known end, or when the quota cannot hold it even then (a limit below its demand, no quota).
 */
export function quotaFreesAt(ledger: QuotaLedger, job: JobRequest, running: readonly RunningEntry[], now: number): number | null {
  const pool = job.pool;
  const project = job.job.project ?? DEFAULT_PROJECT;
  const charge = chargeOf(job);
  const preemptible = job.job.preemptible === true;
  if (!ledger.account(pool, project)) return null;
  const ahead = running
    .filter((r) => (r.project ?? DEFAULT_PROJECT) === project || ledger.sameCohort(pool, project, r.project))
    .sort((a, b) => a.end - b.end || (a.jobId < b.jobId ? -1 : 1));
  const released: RunningEntry[] = [];
  let at: number | null = null;
  if (ledger.check(pool, project, charge, preemptible).ok) at = now;
  for (const r of ahead) {
    if (at !== null || !Number.isFinite(r.end)) break;
    ledger.charge(pool, r.project, { demand: r.demand, instances: r.slots.length, acceleratorType: r.acceleratorType }, -1);
    released.push(r);
    if (ledger.check(pool, project, charge, preemptible).ok) at = Math.max(now, r.end);
  }
  for (const r of released) ledger.charge(pool, r.project, { demand: r.demand, instances: r.slots.length, acceleratorType: r.acceleratorType }, 1);
  return at;
}
