import type { ExecContext } from './task-exec';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TaskAssignment } from '@trainyard/contracts';
import type { logShipperMetrics } from '@trainyard/telemetry';
import type { AgentLogger } from './agent-logger';
import { jetStreamLogPublish, LogShipper } from './log-shipper';
import type { LogSpool } from './log-spool';
import type { RunningTask } from './heartbeat';
import type { SampledTask } from './resource-sampler';
import { type Local, type TaskRef, taskKey } from './task-reconciler';
import { OutputTail } from './output-tail';
import type { LineSink, TaskHandle } from './task-runtime';
import type { OutputSync } from './staging/output-sync';
import type { LogDirFollower } from './log-dir-follower';
import type { SshTrustLease } from './ssh-trust/task-ssh-trust';

/** The I/O that belongs to one launched (or launching) attempt. */
export interface TaskSlot {
  ref: TaskRef;
  assignment: TaskAssignment;
  shipper: LogShipper;
  handle?: TaskHandle;
  /**
   * Resolves once the job has the start (or refused it): the exit waits for it, so TaskStarted is on
   * the job before TaskExited even when the process ends at once.
   */
  started: Promise<void>;
  markStarted: () => void;
  /** Trace context of the launch span: the start report continues it (decision 11). */
  traceparent?: string;
  /** Settles once the exit is reported (or given up on). */
  done?: Promise<void>;
  /** A restart in place replaced this process: its exit is not reported. */
  replaced?: boolean;
  /** The last lines the process printed, to explain its exit (exit-analysis.ts). */
  tail: OutputTail;
  /** Where the runtime sends the process's lines: the tail, then the shipper (whose promise is the back-pressure). */
  sink: LineSink;
  /** The attempt's object-store outputs, synced while it runs and once more after its exit (staging/). */
  outputs?: OutputSync;
  /** The files it writes under `MA_LOG_DIR`, shipped into its log (log-dir-follower.ts). */
  logFiles?: LogDirFollower;
  /** Its SSH trust (ssh-trust/): the instances' names leave the hosts file once the exit is reported. */
  sshTrust?: SshTrustLease;
  /** Where a command run in the task goes (issue 15, `yard exec`): a process task's directory, user, environment. */
  exec?: ExecContext;
}

export interface TaskSlotsOptions {
  nc: NatsConnection;
  nodeId: string;
  now: () => Date;
  /** Disk buffer every shipper shares for the batches NATS cannot take. */
  spool: LogSpool;
  metrics: ReturnType<typeof logShipperMetrics>;
  logger: AgentLogger;
}

/**
 * The slots of the attempts this agent follows, by task key. A Map, so the task lifecycle and the
 * shutdown read it as one; `open` is the one way in, so every slot ships its lines the same way.
 */
export class TaskSlots extends Map<string, TaskSlot> {
  constructor(private readonly opts: TaskSlotsOptions) {
    super();
  }

  /** A new slot for `key` (replacing any), its log shipper numbering from `firstSeq` (default 1). */
  open(key: string, a: TaskAssignment, firstSeq?: number): TaskSlot {
    const { nc, nodeId, now, spool, metrics, logger } = this.opts;
    const ref: TaskRef = { jobId: a.jobId, task: a.task, attempt: a.attempt };
    const shipper = new LogShipper({
      publish: jetStreamLogPublish(jetstream(nc)),
      ...ref,
      nodeId,
      ...(firstSeq !== undefined ? { firstSeq } : {}),
      now,
      onError: (err) => {
        metrics.publishFailures.inc({ node_id: nodeId });
        logger.warn({ task: key, err }, 'log batch not stored; resending');
      },
      onStored: (lines, bytes) => {
        metrics.linesShipped.inc({ node_id: nodeId }, lines);
        metrics.bytesShipped.inc({ node_id: nodeId }, bytes);
      },
      spool,
    });
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const tail = new OutputTail();
    const sink: LineSink = (stream, text) => {
      tail.push(stream, text);
      return shipper.push(stream, text);
    };
    const slot: TaskSlot = { ref, assignment: a, shipper, started, markStarted, tail, sink };
    this.set(key, slot);
    return slot;
  }

  /** Attempts with a live process (`local` says so and a slot holds it), for the heartbeat; in `local`'s order. */
  running(local: Local): RunningTask[] {
    const out: RunningTask[] = [];
    for (const [key, l] of local) {
      const slot = this.get(key);
      if ((l.phase === 'running' || l.phase === 'stopping') && slot) {
        out.push({ ...slot.ref, ...(slot.handle ? { pid: slot.handle.pid } : {}), phase: l.phase });
      }
    }
    return out;
  }

  /** Running attempts with their process group and request, for the resource sampler. */
  sampled(local: Local): SampledTask[] {
    return [...this.values()].flatMap((s) =>
      s.handle && local.get(taskKey(s.ref))?.phase === 'running'
        ? [{
            ...s.ref,
            pid: s.handle.pid,
            cpu: s.assignment.flavor.cpu,
            memoryMiB: s.assignment.flavor.memoryMiB,
            gpu: s.assignment.flavor.gpu,
            npu: s.assignment.flavor.npu,
            ...(s.handle.resourceCounters ? { counters: s.handle.resourceCounters.bind(s.handle) } : {}),
          }]
        : [],
    );
  }
}
