import { Streams, type StoredCommit } from '@trainyard/contracts';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { encodeCommit } from './codec';
import { toEventLogError } from './errors';

/** Commits published before their acks are awaited: the server applies them in order anyway. */
const WINDOW = 256;

/**
 * Appends recorded commits to an event log in their order, right after its end (issue 17, `yard
 * admin import`): the i-th publish carries `Nats-Expected-Last-Sequence` = the stream's end + i, so
 * nothing can interleave and a repeated publish fails instead of applying twice. Their sequences are
 * the target's (a cluster's own identity commits come first); their order, which is all the
 * projections and the deciders read of a sequence, is the recording's. No `Nats-Msg-Id`: a command
 * id the recording reused more than the duplicate window apart would be dropped as a duplicate here.
 * Resolves with the first and last sequence written.
 */
export async function restoreCommits(nc: NatsConnection, commits: readonly StoredCommit[], opts: { stream?: string } = {}): Promise<{ first: number; last: number }> {
  const stream = opts.stream ?? Streams.events;
  const js = jetstream(nc, { timeout: 30_000 });
  const start = (await (await jetstreamManager(nc)).streams.info(stream)).state.last_seq;
  let last = start;
  for (let i = 0; i < commits.length; i += WINDOW) {
    const acks = commits.slice(i, i + WINDOW).map((c, k) =>
      js.publish(c.subject, encodeCommit(c.events, c.meta), { expect: { lastSequence: start + i + k, streamName: stream } }).catch((err: unknown) => {
        throw toEventLogError(err, `restore commit ${c.seq} to ${c.subject}`);
      }),
    );
    for (const ack of await Promise.all(acks)) last = ack.seq;
  }
  return { first: start + 1, last };
}
