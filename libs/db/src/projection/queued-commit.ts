import type { StoredCommit } from '@trainyard/contracts';
import type { MalformedCommit } from '@trainyard/event-log';

/** A commit the log could not decode, kept at its place in the stream so it is quarantined in order. */
export interface Undecodable {
  seq: number;
  subject: string;
  malformed: MalformedCommit;
}

/** What a projection applies: a decoded commit, or the place of one that did not decode. */
export type QueuedCommit = StoredCommit | Undecodable;

export const undecodable = (q: QueuedCommit): q is Undecodable => 'malformed' in q;

export const undecodableOf = (malformed: MalformedCommit): Undecodable => ({ seq: malformed.seq, subject: malformed.subject, malformed });
