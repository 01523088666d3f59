import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api, download } from '../../api/api-client';
import { openEventStream } from '../../api/event-stream';
import type { Job, LogLine } from '../../api/types';
import { countMatches, splitMatches } from '../../format/highlight';

/** The window keeps the latest lines only (the guide's viewer loads "the latest part", L10321-10322). */
const KEEP = 10_000;
const TAIL = 2_000;

/**
 * One task's log: the latest lines, then new ones live while "Follow" is on; search highlights every
 * hit in the loaded lines and jumps between them (as the guide's viewer, L10347-10352); download the
 * task's whole log or every task's as tar.gz, with the guide's file names.
 */
export function LogViewer({ job }: { job: Job }) {
  const [task, setTask] = useState(job.tasks[0]?.name ?? 'worker-0');
  const [lines, setLines] = useState<LogLine[]>([]);
  const [follow, setFollow] = useState(true);
  const [status, setStatus] = useState('Loading…');
  const [q, setQ] = useState('');
  const [hit, setHit] = useState(0);
  const [error, setError] = useState<string>();
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const base = `/v1/training-jobs/${encodeURIComponent(job.id)}`;

  useEffect(() => {
    let close: (() => void) | undefined;
    let cancelled = false;
    setLines([]);
    setStatus('Loading…');
    setError(undefined);
    api<{ items: LogLine[] }>('GET', `${base}/tasks/${task}/logs?tail=${TAIL}`).then(
      ({ items }) => {
        if (cancelled) return;
        setLines(items);
        const last = items.at(-1)?.seq ?? 0;
        if (!follow) return setStatus(`${items.length} lines`);
        setStatus('Following');
        close = openEventStream(
          { url: (id) => `${base}/tasks/${task}/logs?follow=true&afterSeq=${id ?? last}`, endOnClose: true },
          {
            onEvent: (e) => {
              if (e.event === 'line') {
                const line = JSON.parse(e.data) as LogLine;
                setLines((old) => (old.length >= KEEP ? [...old.slice(old.length - KEEP + 1), line] : [...old, line]));
              } else if (e.event === 'end') {
                setStatus(`Ended (${JSON.parse(e.data).state})`);
              }
            },
            onDown: () => setStatus('Reconnecting…'),
            onOpen: () => setStatus('Following'),
          },
        );
      },
      (err) => !cancelled && (setError((err as Error).message), setStatus('')),
    );
    return () => ((cancelled = true), close?.());
  }, [base, task, follow]);

  useLayoutEffect(() => {
    if (follow && atBottom.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  const total = useMemo(() => (q ? lines.reduce((n, l) => n + countMatches(l.text, q), 0) : 0), [lines, q]);
  useEffect(() => setHit(0), [q, task]);
  useEffect(() => {
    box.current?.querySelector('mark.current')?.scrollIntoView({ block: 'center' });
  }, [hit, q]);

  let n = 0;
  return (
    <section aria-labelledby="logs-h">
      <h2 id="logs-h">Logs</h2>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="log-task">Task</label>
          <select id="log-task" value={task} onChange={(e) => setTask(e.target.value)}>
            {job.tasks.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="check">
          <input id="log-follow" type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          <label htmlFor="log-follow">Follow</label>
        </div>
        <div className="field">
          <label htmlFor="log-search">Search the loaded lines</label>
          <input id="log-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} aria-describedby="log-hits" />
        </div>
        <span id="log-hits" role="status">
          {q ? `${total ? hit + 1 : 0} of ${total} matches` : ''}
        </span>
        <button type="button" disabled={!total} onClick={() => setHit((h) => (h - 1 + total) % total)}>
          Previous match
        </button>
        <button type="button" disabled={!total} onClick={() => setHit((h) => (h + 1) % total)}>
          Next match
        </button>
        <button type="button" onClick={() => download(`${base}/tasks/${task}/logs/download`, `modelarts-job-${job.id}-${task}.log`).catch((e) => setError(e.message))}>
          Download {task} log
        </button>
        <button type="button" onClick={() => download(`${base}/logs/download`, `modelarts-job-${job.id}-logs.tar.gz`).catch((e) => setError(e.message))}>
          Download all logs
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {status}
        {lines.length >= KEEP ? ` · showing the latest ${KEEP} lines; download for the whole log` : ''}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div
        ref={box}
        className="log"
        role="log"
        aria-label={`Log of ${task}`}
        tabIndex={0}
        data-testid="log-lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {lines.map((l) => (
          <div key={`${l.attempt}-${l.seq}`} className={l.stream === 'stderr' ? 'line stderr' : 'line'}>
            <span className="seq" aria-hidden="true">
              {l.seq}
            </span>
            {splitMatches(l.text, q).map((p, i) => (p.match ? <mark key={i} className={n++ === hit ? 'current' : undefined}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
          </div>
        ))}
        {lines.length === 0 && !error && <div className="muted">No output yet.</div>}
      </div>
    </section>
  );
}
