import { Streams, Subjects, SUBJECT_TOKEN } from './subjects';

/**
 * Who may do what on a locked bus (issue 11, docs/architecture.md "A bus that trusts no message").
 * Every service and every node agent connects with credentials of its own; the server's
 * authorization block gives each the publish and subscribe permissions below, and nothing else.
 *
 * - Only the API publishes commands (`ty.cmd.>`): a command on a scheduler's subject was sent by the
 *   API identity because no other identity can publish there, so the `Ty-Principal` header it carries
 *   is the API's word. One exception (issue 15): the tuner submits and stops its searches' trial jobs
 *   (`ty.cmd.scheduler.submit`, `.stop`, nothing else), for the search's creator as the API recorded
 *   them in `SearchCreated`.
 * - A node agent publishes nothing to the event log. It reports on `ty.report.<its id>.*` (the report
 *   intake checks the task is placed on that node and appends), consumes only its durable
 *   `agent-<id>` on `ty.ev.node.<id>` (the consumer-create subject that names the filter: 2.9 checks
 *   the body's filter against it), and publishes only its own heartbeats and samples, and log lines.
 * - Every identity reads replies on its own inbox prefix (`_INBOX.<identity>.`), so none can listen
 *   to another's JetStream answers.
 */
export type ServiceIdentity = 'api' | 'scheduler' | 'fault-manager' | 'log-router' | 'notifier' | 'tuner';
export const SERVICE_IDENTITIES: readonly ServiceIdentity[] = ['api', 'scheduler', 'fault-manager', 'log-router', 'notifier', 'tuner'];

/** `api`, `scheduler`, … or `agent-<nodeId>`. */
export type BusIdentity = ServiceIdentity | `agent-${string}`;

export interface BusPermissions {
  publish: string[];
  subscribe: string[];
  /** May answer requests it received (its reply subjects only, as the server tracks them). */
  allowResponses: boolean;
}

export const agentIdentity = (nodeId: string): BusIdentity => {
  if (!SUBJECT_TOKEN.test(nodeId)) throw new Error(`node id ${JSON.stringify(nodeId)} must match [A-Za-z0-9_-]{1,128}`);
  return `agent-${nodeId}`;
};

/** The reply subjects of an identity: nats.js's `inboxPrefix` option. */
export const inboxPrefixOf = (identity: BusIdentity) => `_INBOX.${identity}`;

/** The JetStream API an agent needs for its own durable on its own node subject. */
function agentConsumer(nodeId: string): string[] {
  const durable = `agent-${nodeId}`;
  const api = `$JS.API.CONSUMER`;
  return [
    `${api}.CREATE.${Streams.events}.${durable}.${Subjects.node(nodeId)}`,
    `${api}.INFO.${Streams.events}.${durable}`,
    `${api}.MSG.NEXT.${Streams.events}.${durable}`,
    `$JS.ACK.${Streams.events}.${durable}.>`,
  ];
}

/** The durable consumer of the notifier (issue 15), over the whole log. */
export const NOTIFIER_DURABLE = 'notifier';

/**
 * The notifier reads the log through its own durable and nothing else: no append (it writes only
 * to PostgreSQL and to webhooks), no command, no KV, no other consumer. The consumer-create subject
 * names the filter, as the agents' do.
 */
function notifierPermissions(inbox: string): BusPermissions {
  const api = `$JS.API.CONSUMER`;
  return {
    publish: [
      '$JS.API.INFO',
      `$JS.API.STREAM.INFO.${Streams.events}`,
      `${api}.CREATE.${Streams.events}.${NOTIFIER_DURABLE}.${Subjects.eventsAll}`,
      `${api}.INFO.${Streams.events}.${NOTIFIER_DURABLE}`,
      `${api}.MSG.NEXT.${Streams.events}.${NOTIFIER_DURABLE}`,
      `$JS.ACK.${Streams.events}.${NOTIFIER_DURABLE}.>`,
    ],
    subscribe: [inbox],
    allowResponses: false,
  };
}

/** What every control-plane service shares: the log (append and read), KV buckets, liveness. */
const CONTROL_PLANE = {
  publish: ['$JS.API.>', '$JS.ACK.>', '$KV.>', Subjects.eventsAll, Subjects.deadLettersAll],
  subscribe: [Subjects.heartbeatsAll, Subjects.metricsAll],
};

export function busPermissions(identity: BusIdentity): BusPermissions {
  const inbox = `${inboxPrefixOf(identity)}.>`;
  const cp = (publish: string[], subscribe: string[]): BusPermissions => ({
    publish: [...CONTROL_PLANE.publish, ...publish],
    subscribe: [inbox, ...CONTROL_PLANE.subscribe, ...subscribe],
    allowResponses: true,
  });
  switch (identity) {
    case 'api':
      // Commands, and a command run in a task on its node's agent (issue 15): the API alone asks.
      return cp(['ty.cmd.>', Subjects.exec('*')], [Subjects.logStored('*', '*')]);
    case 'scheduler':
      return cp([], [Subjects.command('scheduler', '*'), Subjects.reportsAll]);
    case 'fault-manager':
      return cp([], [Subjects.command('fault-manager', '*'), Subjects.logsAll]);
    case 'log-router':
      return cp([Subjects.logStored('*', '*')], []);
    case 'notifier':
      return notifierPermissions(inbox);
    case 'tuner':
      return cp([Subjects.command('scheduler', 'submit'), Subjects.command('scheduler', 'stop')], []);
  }
  const nodeId = identity.slice('agent-'.length);
  agentIdentity(nodeId);
  return {
    publish: [
      Subjects.heartbeat(nodeId),
      Subjects.metrics(nodeId),
      Subjects.report(nodeId, '*'),
      // Lines only under its own node: the log router checks the node was given the task (issue 11).
      Subjects.nodeLogs(nodeId),
      '$JS.API.INFO',
      `$JS.API.STREAM.INFO.${Streams.events}`,
      `$JS.API.STREAM.INFO.${Streams.logs}`,
      // Re-adoption numbers on after the last stored batch of its task.
      `$JS.API.STREAM.MSG.GET.${Streams.logs}`,
      ...agentConsumer(nodeId),
    ],
    // Exec requests for its own node only (issue 15), answered on the asker's reply subject.
    subscribe: [inbox, Subjects.exec(nodeId)],
    allowResponses: true,
  };
}

/** NATS subject matching: `*` one token, `>` the rest (one token at least). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

export const mayPublish = (p: BusPermissions, subject: string) => p.publish.some((a) => subjectMatches(a, subject));
export const maySubscribe = (p: BusPermissions, subject: string) => p.subscribe.some((a) => subjectMatches(a, subject));

/**
 * The server's authorization block for these users (an include file: `include ./trainyard-auth.conf`
 * in the server's config). Only public nkeys are in it; the seeds stay in the credentials files.
 */
export function renderAuthorization(users: { identity: BusIdentity; nkey: string }[]): string {
  const q = (s: string) => JSON.stringify(s);
  const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`;
  const lines = users.map(({ identity, nkey }) => {
    if (!/^U[A-Z2-7]{55}$/.test(nkey)) throw new Error(`${identity}: ${nkey} is not a user nkey`);
    const p = busPermissions(identity);
    return [
      `    # ${identity}`,
      `    { nkey: ${q(nkey)}, permissions: {`,
      `        publish: { allow: ${list(p.publish)} }`,
      `        subscribe: { allow: ${list(p.subscribe)} }`,
      ...(p.allowResponses ? ['        allow_responses: true'] : []),
      '    } }',
    ].join('\n');
  });
  return [
    '# Trainyard: one NATS user per service and node agent (written by `yard admin bootstrap`; docs/architecture.md,',
    '# "A bus that trusts no message"). Connections without one of these keys are refused.',
    'authorization {',
    '  users = [',
    ...lines,
    '  ]',
    '}',
    '',
  ].join('\n');
}
