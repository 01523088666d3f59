/**
 * Wire shapes of the history endpoints (issue 17): the cluster-wide event stream, past moments,
 * explanations, export. The HTTP API serves them; the CLI reads them.
 */

/** One event of `GET /v1/events`. `id` (`<seq>.<idx>`) is the cursor for `after` and SSE's `Last-Event-ID`. */
export interface ClusterEventView {
  id: string;
  seq: number;
  idx: number;
  subject: string;
  aggregate: { kind: 'job' | 'node'; id: string };
  type: string;
  time: string;
  jobId: string | null;
  nodeIds: string[];
  task: string | null;
  actor: string;
  commandId: string;
  message: string;
  messageZh: string;
  data: unknown;
}

/** A page of `GET /v1/events`; `next` is the `after` of the next page, null on the last one. */
export interface ClusterEventPage {
  items: ClusterEventView[];
  next: string | null;
}

/**
 * One aggregate's state in a snapshot of the history fold (libs/history `HistoryFold`), as the API
 * stores it (libs/db `history_states`): plain JSON data, the fold's own shape.
 */
export interface HistorySnapshotState {
  kind: 'job' | 'node';
  id: string;
  body: unknown;
}
