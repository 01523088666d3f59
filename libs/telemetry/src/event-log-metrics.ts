import type { EventLog } from '@trainyard/event-log';
import { histogram, LATENCY_BUCKETS } from './metric';

/** `trainyard_event_log_append_seconds{service,outcome}`: latency of event-log appends. */
export const eventLogAppendSeconds = () =>
  histogram('trainyard_event_log_append_seconds', 'Latency of event-log appends (one commit)', ['service', 'outcome'], LATENCY_BUCKETS);

/**
 * The same event log, with every append timed (`outcome` `ok`, `conflict` or `error`). Wrap the log a
 * service appends through, at start-up.
 *
 * @example
 * const log = instrumentEventLog(new JetStreamEventLog(nc), 'scheduler');
 */
export function instrumentEventLog<T extends EventLog>(log: T, service: string): T {
  const h = eventLogAppendSeconds();
  const append = log.append.bind(log);
  return new Proxy(log, {
    get(target, prop, receiver) {
      if (prop !== 'append') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<EventLog['append']>) => {
        const end = h.startTimer({ service });
        try {
          const r = await append(...args);
          end({ outcome: 'ok' });
          return r;
        } catch (err) {
          end({ outcome: (err as { name?: string })?.name === 'StreamVersionConflict' ? 'conflict' : 'error' });
          throw err;
        }
      };
    },
  });
}
