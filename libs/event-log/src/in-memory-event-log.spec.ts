import { testEventLog } from './conformance';
import { InMemoryEventLog } from './in-memory-event-log';

testEventLog('InMemoryEventLog', async () => {
  const log = new InMemoryEventLog();
  return { log, other: async () => log, [Symbol.asyncDispose]: async () => undefined };
});
