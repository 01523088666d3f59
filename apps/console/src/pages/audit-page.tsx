import { Permission } from '@trainyard/contracts';
import { useState } from 'react';
import { api, query } from '../api/api-client';
import type { AuditEntry } from '../api/types';
import { useAsync } from '../components/use-async';
import { formatTime } from '../format/time';
import { href } from '../router';
import { useSession } from '../session/session';

/** Who did what: the commands principals had committed on jobs and nodes, newest first (admins). */
export function AuditPage() {
  const { can } = useSession();
  const [filters, setFilters] = useState({ actor: '', job: '', node: '' });
  const [draft, setDraft] = useState(filters);
  const [before, setBefore] = useState<number[]>([]);
  const audit = useAsync(
    (signal) => api<{ items: AuditEntry[]; next: number | null }>('GET', `/v1/audit${query({ ...filters, limit: 50, before: before.at(-1) })}`, undefined, { signal }),
    [JSON.stringify(filters), before.at(-1)],
  );
  if (!can(Permission.AuditRead)) {
    return (
      <>
        <h1>Audit</h1>
        <p>Reading the audit needs the audit:read permission.</p>
      </>
    );
  }
  return (
    <>
      <h1>Audit</h1>
      <form className="filters" role="search" aria-label="Filter the audit" onSubmit={(e) => (e.preventDefault(), setBefore([]), setFilters(draft))}>
        {(['actor', 'job', 'node'] as const).map((k) => (
          <div className="field" key={k}>
            <label htmlFor={`a-${k}`}>{{ actor: 'Principal', job: 'Job ID', node: 'Node ID' }[k]}</label>
            <input id={`a-${k}`} value={draft[k]} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} />
          </div>
        ))}
        <button type="submit">Apply</button>
      </form>
      {audit.error && (
        <p role="alert" className="error">
          {audit.error.message}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Principal</th>
            <th scope="col">Target</th>
            <th scope="col">Events</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {audit.data?.items.map((a) => (
            <tr key={`${a.seq}-${a.target.id}`}>
              <td>{formatTime(a.time)}</td>
              <td className="mono">{a.actor}</td>
              <td>
                {a.target.kind === 'job' ? <a href={href(`/jobs/${a.target.id}`)}>job {a.target.id.slice(0, 8)}</a> : <span>node {a.target.id}</span>}
              </td>
              <td className="mono">{a.types.join(', ')}</td>
              <td>{a.message}</td>
            </tr>
          ))}
          {audit.data && audit.data.items.length === 0 && (
            <tr>
              <td colSpan={5} className="empty">
                Nothing recorded.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={before.length === 0} onClick={() => setBefore(before.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={!audit.data?.next} onClick={() => setBefore([...before, audit.data!.next!])}>
          Older
        </button>
      </nav>
    </>
  );
}
