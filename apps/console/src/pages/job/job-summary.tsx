import type { Job, JobEvent } from '../../api/types';
import { useNow } from '../../components/use-async';
import { formatDuration, formatTime, runningMs } from '../../format/time';

/** The job's basic information, resources and fault tolerance (ch14 §3.3). */
export function JobSummaryView({ job, events, restarts }: { job: Job; events: JobEvent[]; restarts: { current: number; max: number } | null }) {
  const now = useNow();
  const r = job.spec.spec.resource;
  const f = r.flavor;
  const flavor = [`${f.cpu} vCPU`, `${f.memoryMiB} MiB`, f.gpu ? `${f.gpu} GPU` : '', f.npu ? `${f.npu} NPU` : '', f.acceleratorType ?? ''].filter(Boolean).join(' · ');
  const rows: Array<[string, string]> = [
    ['Job ID', job.id],
    ['Project', job.project ?? '—'],
    ['Description', job.description || '—'],
    ['Created', `${formatTime(job.createdAt)} by ${job.createdBy}`],
    ['Started', formatTime(job.startedAt)],
    ['Ended', formatTime(job.endedAt)],
    ['Run time', job.startedAt ? formatDuration(runningMs(events, now)) : '—'],
    ['Priority', String(job.priority)],
    ['Pool', r.pool ?? 'default'],
    ['Flavor', flavor],
    ['Instances', String(job.nodeCount)],
    ['Runtime', job.spec.spec.runtime ?? 'process'],
    ['Preemptible', job.spec.spec.preemptible ? 'yes' : 'no'],
    ['Attempt', `${job.attempt}${job.dispatched ? '' : ' (not dispatched)'}`],
    ['Restarts (current/max)', restarts ? `${restarts.current}/${restarts.max}` : 'fault tolerance off'],
  ];
  if (job.reason) rows.push(['Reason', job.reason]);
  if (job.requeue) rows.push(['Re-queued', `after ${job.requeue} (first priority)`]);
  if (job.preemptedBy) rows.push(['Preempted by', job.preemptedBy]);
  return (
    <section aria-labelledby="summary-h">
      <h2 id="summary-h">Summary</h2>
      <dl className="summary">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd className={k === 'Job ID' ? 'mono' : undefined}>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
