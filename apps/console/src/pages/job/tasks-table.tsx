import type { Job } from '../../api/types';
import { formatTime } from '../../format/time';

/** Each instance: its node, attempt, how often its script started (MA_PROC_START_CNT), its exit. */
export function TasksTable({ job }: { job: Job }) {
  return (
    <section aria-labelledby="tasks-h">
      <h2 id="tasks-h">Tasks</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">State</th>
            <th scope="col">Node</th>
            <th scope="col">Attempt</th>
            <th scope="col">Starts</th>
            <th scope="col">Exit</th>
            <th scope="col">Started</th>
            <th scope="col">Ended</th>
          </tr>
        </thead>
        <tbody>
          {job.tasks.map((t) => (
            <tr key={t.name}>
              <td className="mono">{t.name}</td>
              <td>{t.state}</td>
              <td>{t.nodeId ?? '—'}</td>
              <td>{t.attempt}</td>
              <td>{t.procStartCount}</td>
              <td>{t.exitCode ?? t.signal ?? '—'}</td>
              <td>{formatTime(t.startedAt)}</td>
              <td>{formatTime(t.endedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
