// One suite, every implementation (STYLE 13, after emmett's event-store features): the in-memory
// log runs it as a unit spec, JetStream as an integration spec.
import { describe } from 'vitest';
import { appendReadCases } from './append-read.cases';
import { commandHandlerCases } from './command-handler.cases';
import { consumeCases } from './consume.cases';
import type { StartHarness } from './harness';
import { subscribeReplayCases } from './subscribe-replay.cases';

export type { EventLogHarness, StartHarness } from './harness';

/** Declares the EventLog conformance suite for one implementation; `start` gives each section a fresh log. */
export function testEventLog(name: string, start: StartHarness): void {
  describe(`${name} conformance`, () => {
    appendReadCases(start);
    subscribeReplayCases(start);
    consumeCases(start);
    commandHandlerCases(start);
  });
}
