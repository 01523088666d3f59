import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Streams, Subjects, type StoredCommit } from '@trainyard/contracts';
import { JetStreamEventLog } from '@trainyard/event-log';
import { yard } from '../support/processes';
import type { ApiClient } from '../support/test-cluster';
import type { JobLoad } from './job-load';

/** What one scenario's audit found; `problems` empty when every promise held. */
export interface Audit {
  jobsCompleted: number;
  eventsChecked: number;
  /** Task attempts started more than once: by the log's TaskStarted, and by the tasks' own lines. */
  startedTwice: number;
  /** Commits the server stored though they expected an older subject sequence (nats-server#4320). */
  lostUpdates: number;
  /** The jobs those commits belong to. */
  lostUpdateJobs: Set<string>;
  problems: string[];
}

const LIFECYCLE = ['JobCreated', 'JobQueued', 'JobScheduled', 'JobStarted', 'TaskStarted', 'TaskExited', 'JobSucceeded'];

/**
 * Checks the promises of issue 12 after a fault: every job completed; the event stream has every
 * sequence from 1 to its last (nothing lost, nothing deleted) on three replicas; each job's history
 * in the log is whole (created … succeeded, every task of its last attempt started and exited 0)
 * and the API shows exactly that history; no task attempt started twice; the read models equal a
 * rebuild from the log (`yard admin rebuild --verify`).
 */
export async function auditJobs(nc: NatsConnection, api: ApiClient, apiUrl: string, load: JobLoad, expectedReplicas = 3): Promise<Audit> {
  const problems: string[] = [];
  const jsm = await jetstreamManager(nc);
  for (const name of [Streams.events, Streams.logs]) {
    const info = await jsm.streams.info(name);
    if (info.config.num_replicas !== expectedReplicas) problems.push(`${name} has ${info.config.num_replicas} replicas, not ${expectedReplicas}`);
  }
  const events = await jsm.streams.info(Streams.events);
  if (events.state.first_seq !== 1 || events.state.messages !== events.state.last_seq || (events.state.num_deleted ?? 0) !== 0) {
    problems.push(`TY_EVENTS is not whole: first ${events.state.first_seq}, last ${events.state.last_seq}, ${events.state.messages} messages, ${events.state.num_deleted} deleted`);
  }
  const byJob = new Map<string, StoredCommit[]>();
  let prev = 0;
  await new JetStreamEventLog(nc).replay((c) => {
    if (c.seq !== prev + 1) problems.push(`TY_EVENTS sequence jumps from ${prev} to ${c.seq}`);
    prev = c.seq;
    const agg = Subjects.parseAggregate(c.subject);
    if (agg?.kind === 'job') byJob.set(agg.id, [...(byJob.get(agg.id) ?? []), c]);
  });

  // Optimistic concurrency as the server kept it: each commit was appended expecting the subject's
  // previous commit. nats-server before 2.9.21 in a cluster can accept a stale expectation
  // (nats-server#4320); a decision made on stale state then stands (a lost update).
  let lostUpdates = 0;
  const lostUpdateJobs = new Set<string>();
  await Promise.all(
    load.ids.map(async (id) => {
      let previous = 0;
      for (const c of byJob.get(id) ?? []) {
        const m = await jsm.streams.getMessage(Streams.events, { seq: c.seq });
        const expected = m?.header?.get('Nats-Expected-Last-Subject-Sequence');
        if (expected && Number(expected) !== previous) {
          lostUpdates++;
          lostUpdateJobs.add(id);
          problems.push(`job ${id}: commit ${c.seq} (${c.events.map((e) => e.type).join(', ')}) was stored expecting sequence ${expected} of its subject, whose last commit was ${previous}: a lost update (nats-server#4320, fixed in 2.9.21)`);
        }
        previous = c.seq;
      }
    }),
  );

  let jobsCompleted = 0;
  let eventsChecked = 0;
  let startedTwice = 0;
  let taskStarts = 0;
  let unheardLost = 0;
  await Promise.all(
    load.ids.map(async (id) => {
      const job = (await api.call('GET', `/v1/training-jobs/${id}`)).body;
      if (job?.state === 'completed') jobsCompleted++;
      else problems.push(`job ${id} is ${job?.state}, not completed`);
      const logged = (byJob.get(id) ?? []).flatMap((c) => c.events);
      const shown = (await api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as { type: string }[];
      const types: string[] = logged.map((e) => e.type);
      if (JSON.stringify(shown.map((e) => e.type)) !== JSON.stringify(types)) problems.push(`job ${id}: the API shows ${shown.length} events, the log holds ${types.length}`);
      for (const t of LIFECYCLE) if (!types.includes(t)) problems.push(`job ${id}: no ${t} in its history`);
      if (types[0] !== 'JobCreated' || types.at(-1) !== 'JobSucceeded') problems.push(`job ${id}: history runs ${types[0]} … ${types.at(-1)}`);
      const started = new Map<string, number>();
      for (const e of logged) {
        if (e.type !== 'TaskStarted') continue;
        taskStarts++;
        const d = e.data as { task: string; attempt: number; procStartCount: number };
        const key = `${d.task}#${d.attempt}#${d.procStartCount}`;
        started.set(key, (started.get(key) ?? 0) + 1);
      }
      for (const [key, n] of started) {
        if (n > 1) {
          startedTwice++;
          problems.push(`job ${id}: task attempt ${key} started ${n} times in the log`);
        }
      }
      // Attempts the platform gave up on before it heard of their start: reported lost with no
      // TaskStarted. A process launched just before its host was cut off is one; its late start is
      // ignored or refused and the process fenced, so it may have written a start the log never records.
      for (const e of logged) {
        if (e.type !== 'TaskExited') continue;
        const d = e.data as { task: string; attempt: number; reason: string };
        if (d.reason === 'lost' && ![...started.keys()].some((k) => k.startsWith(`${d.task}#${d.attempt}#`))) unheardLost++;
      }
      // The last attempt of every task exited 0.
      const exits = new Map<string, { attempt: number; exitCode?: number }>();
      for (const e of logged) {
        if (e.type !== 'TaskExited') continue;
        const d = e.data as { task: string; attempt: number; exitCode?: number };
        if ((exits.get(d.task)?.attempt ?? -1) <= d.attempt) exits.set(d.task, d);
      }
      for (const t of job?.tasks ?? []) if (exits.get(t.name)?.exitCode !== 0) problems.push(`job ${id}: task ${t.name}'s last exit is ${JSON.stringify(exits.get(t.name))}`);
      eventsChecked += types.length;
    }),
  );

  // The tasks' own account: one line per process start, so a duplicate is an attempt run twice.
  const lines = new Map<string, number>();
  const starts = load.starts();
  // Every start the log records, the task itself wrote down; the only starts beyond those are of
  // attempts reported lost before their start was heard, at most one each.
  if (starts.length < taskStarts || starts.length > taskStarts + unheardLost) {
    problems.push(`the tasks wrote ${starts.length} starts, the log has ${taskStarts} TaskStarted (and ${unheardLost} attempts lost before their start was heard)`);
  }
  for (const l of starts) lines.set(l, (lines.get(l) ?? 0) + 1);
  for (const [l, n] of lines) {
    if (n > 1) {
      startedTwice++;
      problems.push(`task start "${l}" happened ${n} times`);
    }
  }

  const verify = await yard(['admin', 'rebuild', '--verify', '--json'], apiUrl);
  const v = JSON.parse(verify.stdout || '{}');
  if (verify.code !== 0 || v.equal !== true) problems.push(`rebuild --verify: exit ${verify.code}, ${verify.stdout.slice(0, 500)} ${verify.stderr.slice(0, 500)}`);
  return { jobsCompleted, eventsChecked, startedTwice, lostUpdates, lostUpdateJobs, problems };
}
