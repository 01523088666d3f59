import { Subjects } from '@trainyard/contracts';
import type { NatsConnection } from '@nats-io/transport-node';

/** A task attempt with a live process on this node. */
export interface RunningTask {
  jobId: string;
  task: string;
  attempt: number;
  pid?: number;
  /** `stopping` once SIGTERM was sent. */
  phase: 'running' | 'stopping';
}

/**
 * Liveness of a node (decision 6: a plain NATS message on `ty.hb.<nodeId>`, never an event).
 *
 * @example
 * { "nodeId": "gpu-07", "time": "2026-03-13T10:00:05.000Z",
 *   "running": [{ "jobId": "j1", "task": "worker-0", "attempt": 1, "pid": 4242, "phase": "running" }] }
 */
export interface Heartbeat {
  nodeId: string;
  time: string;
  running: RunningTask[];
}

/** Publishes a heartbeat now and every `intervalMs` until `stop()`. */
export function startHeartbeats(
  nc: NatsConnection,
  nodeId: string,
  intervalMs: number,
  running: () => RunningTask[],
  now: () => Date = () => new Date(),
): { stop(): void } {
  const beat = () => {
    const hb: Heartbeat = { nodeId, time: now().toISOString(), running: running() };
    try {
      nc.publish(Subjects.heartbeat(nodeId), JSON.stringify(hb));
    } catch {
      // Closed or draining connection: the next beat (or none, if we are stopping) will tell.
    }
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  return { stop: () => clearInterval(timer) };
}
