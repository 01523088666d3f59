import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The fault manager's place in the cluster. Recovery policies, hang detection and node isolation
 * come with their own issue; until then it only holds its slot so the all-in-one wiring is final.
 */
export class FaultManager {
  constructor(private readonly nc: NatsConnection) {}

  async start(): Promise<void> {
    // Nothing to watch yet; a job whose task fails simply fails (no recovery policy applies).
    void this.nc;
  }

  async stop(): Promise<void> {}
}
