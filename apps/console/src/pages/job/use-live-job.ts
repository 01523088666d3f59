import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/api-client';
import { jobFeed } from '../../api/job-feed';
import type { Job, JobEvent, RecoveryView } from '../../api/types';

export interface LiveJob {
  job: Job | undefined;
  events: JobEvent[];
  recovery: RecoveryView | undefined;
  error: Error | undefined;
  /** Read everything again (after an action). */
  refresh(): void;
}

/** The job a submit just created: its page shows this answer at once, then reads and follows it. */
let primed: Job | undefined;
export const primeJob = (job: Job) => void (primed = job);

/**
 * A job with its events and recovery record, kept current from the job stream: the state a change
 * carries is shown at once, then job, events and recovery are read again (coalesced).
 */
export function useLiveJob(id: string): LiveJob {
  const [job, setJob] = useState<Job>();
  const [events, setEvents] = useState<JobEvent[]>([]);
  const [recovery, setRecovery] = useState<RecoveryView>();
  const [error, setError] = useState<Error>();
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  const generation = useRef(0);

  const shownId = useRef(id);
  shownId.current = id;
  const load = () => {
    // A late refresh from an action on a job no longer shown (its answer came after navigating away)
    // must not put that job back on the page: the stop button would then act on it.
    if (id !== shownId.current) return;
    const g = generation.current;
    Promise.all([
      api<Job>('GET', `/v1/training-jobs/${encodeURIComponent(id)}`),
      api<{ items: JobEvent[] }>('GET', `/v1/training-jobs/${encodeURIComponent(id)}/events`),
      api<RecoveryView>('GET', `/v1/training-jobs/${encodeURIComponent(id)}/recovery`),
    ]).then(
      ([j, e, r]) => {
        if (g !== generation.current) return;
        // A stream change newer than this answer keeps its state.
        setJob((old) => (old && old.id === j.id && old.updatedAt > j.updatedAt ? { ...j, ...pick(old) } : j));
        setEvents(e.items);
        setRecovery(r);
        setError(undefined);
      },
      (err) => g === generation.current && setError(err),
    );
  };
  const refresh = () => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      load();
    }, 150);
  };

  useEffect(() => {
    generation.current++;
    setJob(primed?.id === id ? primed : undefined);
    primed = undefined;
    setEvents([]);
    setRecovery(undefined);
    load();
    const off = jobFeed.subscribe({
      onReady: refresh,
      onJob: (change) => {
        if (change.id !== id) return;
        setJob((old) => (old && change.updatedAt >= old.updatedAt ? { ...old, ...change } : old));
        refresh();
      },
    });
    return () => (off(), clearTimeout(pending.current), (pending.current = undefined));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  return { job, events, recovery, error, refresh };
}

const pick = (j: Job) => ({ state: j.state, priority: j.priority, attempt: j.attempt, startedAt: j.startedAt, endedAt: j.endedAt, updatedAt: j.updatedAt });
