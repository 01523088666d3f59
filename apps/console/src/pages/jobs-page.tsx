import { useEffect, useRef, useState } from 'react';
import { api, query } from '../api/api-client';
import { jobFeed } from '../api/job-feed';
import type { JobPage, JobSummary } from '../api/types';
import { StateBadge } from '../components/state-badge';
import { type Async, useAsync, useNow } from '../components/use-async';
import { FILTER_STATES, stateLabel } from '../format/job-states';
import { age, runTime } from '../format/time';
import { href, navigate } from '../router';
import { useSession } from '../session/session';

const PAGE_SIZE = 20;

/**
 * The job list: filter by state, project and tag, search by name, page through; rows change live
 * from the job stream (patched in place; a job that is not on the page re-reads the page).
 */
export function JobsPage({ query: q }: { query: URLSearchParams }) {
  const { me } = useSession();
  const filters = { state: q.get('state') ?? '', project: q.get('project') ?? '', tag: q.get('tag') ?? '', q: q.get('q') ?? '' };
  const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
  const key = JSON.stringify([filters, page]);
  const list = useAsync(
    (signal) => api<JobPage>('GET', `/v1/training-jobs${query({ ...filters, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })}`, undefined, { signal }),
    [key],
  );
  const live = useLiveList(list);
  const now = useNow();
  const set = (changes: Partial<typeof filters> & { page?: number }) => navigate(href('/jobs', { ...filters, page: 1, ...changes }));
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [key]);

  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <>
      <div className="page-head">
        <h1>Training jobs</h1>
        <span className={live ? 'live on' : 'live'} role="status">
          {live ? 'Live' : 'Connecting…'}
        </span>
        <a className="button primary" href={href('/submit')}>
          Submit a job
        </a>
      </div>
      <form className="filters" role="search" aria-label="Filter jobs" onSubmit={(e) => (e.preventDefault(), set(draft))}>
        <div className="field">
          <label htmlFor="f-q">Name</label>
          <input id="f-q" type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} placeholder="part of the name" />
        </div>
        <div className="field">
          <label htmlFor="f-state">State</label>
          <select id="f-state" value={draft.state} onChange={(e) => set({ ...draft, state: e.target.value })}>
            <option value="">All states</option>
            {FILTER_STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s).en} · {stateLabel(s).zh}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-project">Project</label>
          <select id="f-project" value={draft.project} onChange={(e) => set({ ...draft, project: e.target.value })}>
            <option value="">All projects</option>
            {me?.projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-tag">Tag</label>
          <input id="f-tag" value={draft.tag} onChange={(e) => setDraft({ ...draft, tag: e.target.value })} placeholder="key or key=value" />
        </div>
        <button type="submit">Apply</button>
      </form>
      {list.error && (
        <p role="alert" className="error">
          {list.error.message}
        </p>
      )}
      <table className="jobs">
        <caption className="visually-hidden">Training jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Priority</th>
            <th scope="col">Project</th>
            <th scope="col">Nodes</th>
            <th scope="col">Age</th>
            <th scope="col">Run time</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((j) => (
            <tr key={j.id} data-job={j.id}>
              <td>
                <a href={href(`/jobs/${j.id}`)}>{j.name}</a>
                <div className="muted mono">{j.id.slice(0, 8)}</div>
              </td>
              <td>
                <StateBadge state={j.state} />
              </td>
              <td>{j.priority}</td>
              <td>{j.project}</td>
              <td>{j.nodeCount}</td>
              <td>{age(j.createdAt, now)}</td>
              <td>{runTime(j, now)}</td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={7} className="empty">
                No jobs match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={page <= 1} onClick={() => set({ ...filters, page: page - 1 })}>
          Previous page
        </button>
        <span>
          Page {page} of {pages} · {total} jobs
        </span>
        <button type="button" disabled={page >= pages} onClick={() => set({ ...filters, page: page + 1 })}>
          Next page
        </button>
      </nav>
    </>
  );
}

/**
 * Keeps a listed page current from the job stream. A row on the page is patched in place; any other
 * change (a new job, one that now matches the filter) re-reads the page, at most every 500 ms. The
 * newest summary seen per job wins over an older page answer (a change may arrive while it loads).
 */
function useLiveList(list: Async<JobPage>): boolean {
  const [live, setLive] = useState(jobFeed.live);
  const seen = useRef(new Map<string, JobSummary>());
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const listRef = useRef(list);
  listRef.current = list;
  useEffect(() => {
    const reload = () => {
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = undefined;
        listRef.current.reload();
      }, 500);
    };
    const off = jobFeed.subscribe({
      onLive: setLive,
      onReady: () => listRef.current.reload(),
      onJob: (job) => {
        seen.current.set(job.id, job);
        const shown = listRef.current.data?.items.some((j) => j.id === job.id);
        if (shown && job.state !== 'deleted') listRef.current.set((p) => p && { ...p, items: p.items.map((j) => (j.id === job.id ? { ...j, ...job } : j)) });
        else reload();
      },
    });
    return () => (off(), clearTimeout(timer.current));
  }, []);
  // A page that loaded before a change it missed: apply the newer summaries it holds.
  useEffect(() => {
    const p = list.data;
    if (!p || !p.items.some((j) => (seen.current.get(j.id)?.updatedAt ?? '') > j.updatedAt)) return;
    list.set((old) => old && { ...old, items: old.items.map((j) => { const n = seen.current.get(j.id); return n && n.updatedAt > j.updatedAt ? { ...j, ...n } : j; }) });
  }, [list.data]);
  return live;
}
