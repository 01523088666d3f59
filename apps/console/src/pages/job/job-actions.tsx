import { DEFAULT_PROJECT, Permission } from '@trainyard/contracts';
import { useState } from 'react';
import { api } from '../../api/api-client';
import type { Job } from '../../api/types';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { deletable, stoppable } from '../../format/job-states';
import { href, navigate } from '../../router';
import { useSession } from '../../session/session';

/**
 * Stop, delete, copy and change priority — each shown only where the job's state allows it (ch14
 * §2.3) and `GET /v1/me` says the caller may.
 */
export function JobActions({ job, onChanged }: { job: Job; onChanged(): void }) {
  const { can } = useSession();
  const [dialog, setDialog] = useState<'stop' | 'delete' | null>(null);
  const [priority, setPriority] = useState(String(job.priority));
  const [error, setError] = useState<string>();
  const scope = { project: job.project ?? DEFAULT_PROJECT, createdBy: job.createdBy };
  const path = `/v1/training-jobs/${encodeURIComponent(job.id)}`;
  const canPriority = job.state === 'waiting' && !job.dispatched && can(Permission.JobPriority, scope);
  const setPrio = async () => {
    setError(undefined);
    try {
      await api('POST', `${path}/priority`, { priority: Number(priority) });
      onChanged();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="job-actions">
      {stoppable(job.state) && can(Permission.JobStop, scope) && (
        <button type="button" className="danger" onClick={() => setDialog('stop')}>
          Stop
        </button>
      )}
      {deletable(job.state) && can(Permission.JobDelete, scope) && (
        <button type="button" className="danger" onClick={() => setDialog('delete')}>
          Delete
        </button>
      )}
      {can(Permission.JobSubmit, scope) && (
        <a className="button" href={href('/submit', { copy: job.id })}>
          Copy
        </a>
      )}
      {canPriority && (
        <form className="inline" onSubmit={(e) => (e.preventDefault(), void setPrio())}>
          <label htmlFor="priority">Priority</label>
          <select id="priority" value={priority} onChange={(e) => setPriority(e.target.value)}>
            <option value="1">1</option>
            <option value="2">2</option>
            {can(Permission.JobSetHighPriority) && <option value="3">3 (high)</option>}
          </select>
          <button type="submit" disabled={Number(priority) === job.priority}>
            Set priority
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {dialog === 'stop' && (
        <ConfirmDialog title={`Stop ${job.name}?`} typed="YES" confirmLabel="Stop the job" danger onClose={() => setDialog(null)} onConfirm={async () => (await api('POST', `${path}/stop`), onChanged())}>
          <p>Its tasks get SIGTERM, then SIGKILL after the grace period. The job ends terminated.</p>
        </ConfirmDialog>
      )}
      {dialog === 'delete' && (
        <ConfirmDialog
          title={`Delete ${job.name}?`}
          typed="DELETE"
          confirmLabel="Delete the job"
          danger
          onClose={() => setDialog(null)}
          onConfirm={async () => (await api('DELETE', path), navigate(href('/jobs')))}
        >
          <p>This cannot be undone. Its history stays in the event log; outputs on shared storage are not touched.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
