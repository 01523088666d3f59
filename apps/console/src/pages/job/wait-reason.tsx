import { describeWaitReason } from '@trainyard/contracts';
import type { Job } from '../../api/types';
import { href } from '../../router';

const UNITS: Record<string, string> = { cpu: 'vCPU', memoryMiB: 'MiB', gpu: 'GPU', npu: 'NPU' };

/** Why a waiting job waits: the planner's reason with its numbers — queue position, what is short, who is ahead. */
export function WaitReason({ job }: { job: Job }) {
  const w = job.waitReason;
  if (job.state !== 'waiting') return null;
  return (
    <section aria-labelledby="wait-h" className="wait">
      <h2 id="wait-h">Why waiting</h2>
      {!w ? (
        <p>{job.dispatched ? 'Placed on its nodes; waiting for the first task to start.' : 'Queued; the scheduler has not explained it yet.'}</p>
      ) : (
        <>
          <p data-testid="wait-reason">{describeWaitReason(w)}</p>
          <dl className="summary">
            <div>
              <dt>Reason code</dt>
              <dd className="mono">{w.code}</dd>
            </div>
            {w.position !== undefined && (
              <div>
                <dt>Queue position</dt>
                <dd>{w.position}</dd>
              </div>
            )}
            {w.unplacedInstances !== undefined && (
              <div>
                <dt>Instances without room</dt>
                <dd>{w.unplacedInstances}</dd>
              </div>
            )}
            {w.blockedBy && (
              <div>
                <dt>Blocked by</dt>
                <dd>
                  <a href={href(`/jobs/${w.blockedBy}`)}>{w.blockedBy}</a>
                </dd>
              </div>
            )}
            {w.cause && (
              <div>
                <dt>Cause</dt>
                <dd className="mono">{w.cause}</dd>
              </div>
            )}
          </dl>
          {w.deficit && Object.keys(w.deficit).length > 0 && (
            <table>
              <caption>Short of, for the next instance</caption>
              <thead>
                <tr>
                  <th scope="col">Resource</th>
                  <th scope="col">Missing</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(w.deficit).map(([k, v]) => (
                  <tr key={k}>
                    <td>{UNITS[k] ?? k}</td>
                    <td>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
