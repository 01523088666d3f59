import { testEventLog } from '@trainyard/testing/event-log';
import { InMemoryEventLog } from './in-memory-event-log';

testEventLog('InMemoryEventLog', async () => {
  const log = new InMemoryEventLog();
  return { log, other: async () => log, [Symbol.asyncDispose]: async () => undefined };
});
