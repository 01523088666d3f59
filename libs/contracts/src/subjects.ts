/**
 * Every NATS subject and stream name in one place. An aggregate is one literal subject, because
 * nats-server 2.9 checks `Nats-Expected-Last-Subject-Sequence` against the literal subject only.
 */
export const Streams = {
  /** The event log: source of truth. */
  events: 'TY_EVENTS',
  /** Task output lines, batched. */
  logs: 'TY_LOGS',
  /** Messages consumers without a database gave up on (libs/quarantine). */
  deadLetters: 'TY_DEAD_LETTERS',
} as const;

export type AggregateKind = 'job' | 'node';

export const Subjects = {
  eventsAll: 'ty.ev.>',
  /** `ty.ev.job.<jobId>` */
  job: (jobId: string) => `ty.ev.job.${jobId}`,
  /** `ty.ev.node.<nodeId>` */
  node: (nodeId: string) => `ty.ev.node.${nodeId}`,
  aggregate: (kind: AggregateKind, id: string) => `ty.ev.${kind}.${id}`,
  /** Identity aggregates (issue 11): tokens, projects with their bindings, cluster-wide bindings. */
  iamAll: 'ty.ev.iam.>',
  iamToken: (tokenId: string) => `ty.ev.iam.token.${tokenId}`,
  iamProject: (projectId: string) => `ty.ev.iam.project.${projectId}`,
  iamCluster: 'ty.ev.iam.cluster',
  /** A node join token (issue 12): issued, then redeemed once. */
  iamJoinToken: (tokenId: string) => `ty.ev.iam.join.${tokenId}`,
  /** Notification subscriptions (issue 15): one aggregate per subscription. */
  notifyAll: 'ty.ev.notify.>',
  notifySubscription: (subscriptionId: string) => `ty.ev.notify.${subscriptionId}`,
  /** Hyperparameter searches (issue 15): one aggregate per search. */
  searchAll: 'ty.ev.search.>',
  search: (searchId: string) => `ty.ev.search.${searchId}`,
  /** Parses `ty.ev.<kind>.<id>`. */
  parseAggregate(subject: string): { kind: AggregateKind; id: string } | undefined {
    const m = /^ty\.ev\.(job|node)\.(.+)$/.exec(subject);
    return m ? { kind: m[1] as AggregateKind, id: m[2] } : undefined;
  },

  logsAll: 'ty.log.>',
  /**
   * `ty.log.<jobId>.<task>.<nodeId>`: one subject per task and node keeps each attempt's lines in order,
   * and names the node that sent them — an agent may publish only under its own (issue 11).
   */
  log: (jobId: string, task: string, nodeId: string) => `ty.log.${jobId}.${task}.${nodeId}`,
  /** Every node's lines of one task (`ty.log.<jobId>.<task>.*`), e.g. its last line wherever it ran. */
  taskLogs: (jobId: string, task: string) => `ty.log.${jobId}.${task}.*`,
  /** What one node's agent may publish: its own tasks' lines. */
  nodeLogs: (nodeId: string) => `ty.log.*.*.${nodeId}`,

  /** `ty.logstored.<jobId>.<task>`: plain NATS notice that a task's lines were stored (`LogStoredNotice`). */
  logStored: (jobId: string, task: string) => `ty.logstored.${jobId}.${task}`,

  /** `ty.metrics.<nodeId>`: a node's resource sample (`ResourceSample`), plain NATS like heartbeats. */
  metrics: (nodeId: string) => `ty.metrics.${nodeId}`,
  metricsAll: 'ty.metrics.*',

  /** `ty.dead.<consumer>`: one dead letter (libs/quarantine), the consumer name made a subject token. */
  deadLetter: (consumer: string) => `ty.dead.${consumer.replace(/[^A-Za-z0-9_-]/g, '_') || '_'}`,
  deadLettersAll: 'ty.dead.>',

  /** Liveness is not an event (decision 6): plain messages. */
  heartbeat: (nodeId: string) => `ty.hb.${nodeId}`,
  heartbeatsAll: 'ty.hb.*',

  /** Commands are request/reply, one subject per verb (decision 3). */
  command: (service: string, verb: string) => `ty.cmd.${service}.${verb}`,

  /**
   * `ty.report.<nodeId>.<verb>`: what a node agent reports (request/reply to the control plane's
   * report intake, which checks and appends it). The node token is the sender: on a locked bus only
   * that node's credentials may publish there (docs/architecture.md, "A bus that trusts no message").
   */
  report: (nodeId: string, verb: string) => `ty.report.${nodeId}.${verb}`,
  /** `ty.exec.<nodeId>`: the API asks one node's agent to run a command in a running task (`ExecRequest`). */
  exec: (nodeId: string) => `ty.exec.${nodeId}`,
  reportsAll: 'ty.report.*.*',
  /** Parses `ty.report.<nodeId>.<verb>`. */
  parseReport(subject: string): { nodeId: string; verb: string } | undefined {
    const m = /^ty\.report\.([A-Za-z0-9_-]{1,128})\.([a-z]+)$/.exec(subject);
    return m ? { nodeId: m[1], verb: m[2] } : undefined;
  },
} as const;

/** Ids used in subjects may not contain subject separators or wildcards. */
export const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
