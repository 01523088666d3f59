import { useCallback, useEffect, useRef, useState } from 'react';

export interface Async<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Reads again; the data shown stays until the new answer comes. */
  reload(): void;
  /** Replaces the data in place (a live update). */
  set(update: (old: T | undefined) => T | undefined): void;
}

/** Runs `load` when `deps` change and on `reload()`; a late answer to an older call is dropped. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const call = ++latest.current;
    const ac = new AbortController();
    setLoading(true);
    load(ac.signal).then(
      (d) => call === latest.current && (setData(d), setError(undefined), setLoading(false)),
      (e) => call === latest.current && e?.name !== 'AbortError' && (setError(e), setLoading(false)),
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, set: setData };
}

/** `Date.now()` that re-renders every `ms` (ages and run times). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
