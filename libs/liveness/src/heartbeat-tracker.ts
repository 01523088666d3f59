import { Subjects } from '@trainyard/contracts';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

export interface Heartbeat {
  nodeId: string;
  time: string;
  running?: unknown[];
}

/**
 * Remembers the last heartbeat of every node (liveness is not an event, decision 6). `receivedAt`
 * is local receive time, so clock skew between machines does not fake a dead node.
 */
export class HeartbeatTracker {
  private readonly last = new Map<string, { beat: Heartbeat; receivedAt: number }>();
  private sub?: Subscription;

  constructor(private readonly nc: NatsConnection) {}

  start(): this {
    this.sub = this.nc.subscribe(Subjects.heartbeatsAll, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const beat = msg.json<Heartbeat>();
          if (beat?.nodeId) this.last.set(beat.nodeId, { beat, receivedAt: Date.now() });
        } catch {
          // A malformed heartbeat is ignored: it must not take the tracker down.
        }
      },
    });
    return this;
  }

  status(nodeId: string, timeoutMs: number): { status: 'ready' | 'lost' | 'unknown'; lastHeartbeat: string | null } {
    const seen = this.last.get(nodeId);
    if (!seen) return { status: 'unknown', lastHeartbeat: null };
    return { status: Date.now() - seen.receivedAt <= timeoutMs ? 'ready' : 'lost', lastHeartbeat: seen.beat.time };
  }

  stop(): void {
    this.sub?.unsubscribe();
  }
}
