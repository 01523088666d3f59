import type { NatsConnection } from '@nats-io/transport-node';
import { event, Subjects, type TrainingJobSpec, validateJobSpec, withDefaults } from '@trainyard/contracts';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, startNatsServer } from '@trainyard/testing';
import { BACKENDS, useBackend } from '@trainyard/testing/db';
import { listDeadLetters } from '../queries/dead-letter-queries';
import { listJobEvents } from '../queries/job-event-queries';
import { getJob } from '../queries/job-queries';
import { Projector } from './projector';

/**
 * The shared text rule (BRIEFING, issue 9): a string the contract accepts has no U+0000 and no
 * unpaired surrogate; everything else must come back from PostgreSQL exactly as submitted. Strings
 * mix the awkward characters below with arbitrary code points (astral ones included).
 */
const AWKWARD = [
  '\t', '\n', '\r', '\r\n', '\u2028', '\u2029', '\u200b', '\u200e', '\u200f', '\u202e', '\u2066', '\ufeff', '\u00ad', '\u0085',
  '\u0001', '\u001f', '\u007f', '\uffff', '\ufffe', '\ufffd', '\u{10ffff}', '😀', '👩‍👩‍👧', '𝕏', '中文', 'é', 'e\u0301', 'ﷺ',
  '\\', '\\u0000', '\\n', '"', "'", '`', '${MA_JOB_DIR}', '$(id)', '%s', '{}', '[]', ' ', '  ',
];
const unit = fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...AWKWARD) }, { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) });
const text = (minLength = 0) =>
  fc.string({ unit, minLength, maxLength: 24 }).map((s) => s.replaceAll('\u0000', '')).filter((s) => s.length >= minLength && (s as string & { isWellFormed(): boolean }).isWellFormed());

const specArb: fc.Arbitrary<TrainingJobSpec> = fc
  .record({
    command: text(1),
    env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/).filter((k) => !k.startsWith('MA_')), text(), { maxKeys: 4 }),
    params: fc.array(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/), value: text() }), { maxLength: 3 }),
    tag: text(),
    note: text(),
    inputPath: text(1),
  })
  .map(({ command, env, params, tag, note, inputPath }) => ({
    kind: 'job',
    metadata: { name: 'round-trip', annotations: { 'example.com/note': note }, tags: [{ key: 'k', value: tag }] },
    algorithm: {
      command,
      environments: env,
      parameters: params.filter((p, i) => params.findIndex((q) => q.name === p.name) === i),
      inputs: [{ name: 'data', path: inputPath }],
    },
    spec: { resource: { flavor: { cpu: 1, memoryMiB: 256 }, nodeCount: 1 } },
  }));

let server: NatsServer;
let nc: NatsConnection;
let log: JetStreamEventLog;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats(server.url, 'db-round-trip-test');
  await ensureStreams(nc);
  log = new JetStreamEventLog(nc);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe.each(BACKENDS)('exact round trip through the projector on %s', (backend) => {
  const pg = useBackend(backend);

  it('property: every string the contract accepts, in the spec and in events, is stored and read back unchanged', async () => {
    await using t = await pg.open();
    const projector = new Projector({ db: t.db, eventLog: log, onError: () => undefined });
    await projector.start();
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(specArb, text(), text(), async (input, failureMessage, waitDetail) => {
          // Only what the contract accepts is in scope (its other rules may refuse a generated value).
          fc.pre(validateJobSpec(input).ok);
          const spec = withDefaults(input);
          const jobId = `rt-${backend}-${++n}`;
          const meta = { commandId: `${jobId}-c`, correlationId: jobId, actor: 'user:round-trip' };
          const now = '2026-03-01T08:00:00.000Z';
          const events = [
            event('JobCreated', now, { jobId, spec, tasks: ['worker-0'], createdBy: 'user:round-trip' }),
            event('JobQueued', now, { priority: 1 }),
            event('JobWaiting', now, { reason: { code: 'INSUFFICIENT_RESOURCES', detail: waitDetail } }),
            event('JobFailed', now, { attempt: 0, reason: 'round-trip', message: failureMessage }),
          ];
          const { seq } = await log.append(Subjects.job(jobId), events, meta, 0);
          await projector.waitFor(seq, 20_000);

          const job = await getJob(t.db, jobId);
          expect(job?.spec).toEqual(spec);
          expect(job?.waitReason).toEqual({ code: 'INSUFFICIENT_RESOURCES', detail: waitDetail });
          expect(job?.reason).toBe('round-trip');
          // toEqual compares strings with Object.is: every one of them came back exactly.
          const stored = await listJobEvents(t.db, jobId);
          expect(stored.map((e) => e.data)).toEqual(events.map((e) => e.data));
          expect(stored[3].data).toMatchObject({ message: failureMessage });
        }),
        { numRuns: 60 },
      );
      // Every run passed the contract's other rules (fast-check counts only runs that did).
      expect(n).toBeGreaterThanOrEqual(60);
      // Nothing was quarantined on the way: every generated string was storable.
      expect(await listDeadLetters(t.db, { state: 'all' })).toEqual([]);
    } finally {
      await projector.stop();
    }
  });
});
