import { testEventLog } from '@trainyard/testing/event-log';
import { InMemoryEventLog } from './in-memory-event-log';

testEventLog('InMemoryEventLog', async () => {
  const log = new InMemoryEventLog();
  // Another writer is another process over the same store: a handle of its own (handleCommand orders
  // commands per log handle, as per process), calling into the one log.
  const other = async () => new Proxy(log, { get: (t, k) => (typeof Reflect.get(t, k) === 'function' ? Reflect.get(t, k).bind(t) : Reflect.get(t, k)) });
  return { log, other, [Symbol.asyncDispose]: async () => undefined };
});
