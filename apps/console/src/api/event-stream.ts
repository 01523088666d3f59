import { SseParser, type SseEvent } from '@trainyard/contracts';
import { authHeaders } from './api-client';

export interface EventStreamHandlers {
  onEvent(event: SseEvent): void;
  /** Connected (again): the stream answered 200. */
  onOpen?(): void;
  /** The connection broke; it is retried unless the server said the stream is over. */
  onDown?(error: unknown): void;
}

export interface EventStreamOptions {
  /** The URL to (re)connect to; called again on every reconnect, e.g. to resume after the last id seen. */
  url: (lastEventId: string | undefined) => string;
  /** Stop for good when the server closes the stream normally (a finished log). Default false: reconnect. */
  endOnClose?: boolean;
  /** First retry delay; doubles up to 10 s. Default 500 ms. */
  retryMs?: number;
}

/**
 * Server-sent events over `fetch`, not `EventSource`: EventSource cannot send the `Authorization`
 * header the API will require (issue 11), and fetch can. Parses with the contract's `SseParser`,
 * reconnects with back-off and resumes from the last event id. Returns `close`.
 */
export function openEventStream(opts: EventStreamOptions, handlers: EventStreamHandlers): () => void {
  const ac = new AbortController();
  let lastId: string | undefined;
  let delay = opts.retryMs ?? 500;
  const run = async () => {
    while (!ac.signal.aborted) {
      try {
        const res = await fetch(opts.url(lastId), { headers: { accept: 'text/event-stream', ...authHeaders() }, signal: ac.signal });
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        handlers.onOpen?.();
        delay = opts.retryMs ?? 500;
        const parser = new SseParser();
        const reader = res.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const e of parser.push(value)) {
            if (e.id !== undefined) lastId = e.id;
            handlers.onEvent(e);
          }
        }
        parser.end();
        if (opts.endOnClose) return;
        handlers.onDown?.(new Error('stream closed'));
      } catch (err) {
        if (ac.signal.aborted) return;
        handlers.onDown?.(err);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(10_000, delay * 2);
    }
  };
  void run();
  return () => ac.abort();
}
