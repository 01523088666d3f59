import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { storeReplicas } from '@trainyard/event-log';

/** Options of {@link LeaderLease}. */
export interface LeaderLeaseOptions {
  /** KV bucket holding the leases. Default `TY_LEADER`. */
  bucket: string;
  /** Key of this role's lease, e.g. `scheduler`. */
  key: string;
  /** This replica's id, written as the lease's value (shown to operators). */
  holder: string;
  /** Replicas of the bucket when this creates it. Default `TY_STREAM_REPLICAS` (1), through the server version gate. */
  replicas?: number;
  /** How long a lease lives without renewal: the bucket's max age. Default 3 000 ms. */
  ttlMs: number;
  /** Renew (leader) or try to acquire (standby) this often. Default ttl / 3. */
  renewMs?: number;
  /** Told when this replica gains or loses the lease. */
  onChange?: (leader: boolean) => void;
  log?: (msg: string) => void;
}

/**
 * Leader election through a lease in a NATS KV bucket (ARCHITECTURE decision 7). The bucket's max age
 * is the lease TTL: the leader rewrites its key every `renewMs` with `update(…, revision)`, so only
 * the holder of the current revision can renew; a standby tries `create`, which succeeds only once
 * the key has aged out (the leader died or was cut off) or was deleted (the leader stepped down).
 *
 * `isLeader()` is conservative: it turns false `ttlMs - renewMs` after the last successful renewal,
 * before a standby can acquire the key, so a cut-off leader stops committing before anyone else
 * starts (given clocks that tick at the same rate). Late writes of a deposed leader that slip
 * through anyway are fenced by the expected sequences of the event log.
 *
 * @example
 * ```ts
 * const lease = new LeaderLease(nc, { bucket: 'TY_LEADER', key: 'scheduler', holder: 'sched-a', ttlMs: 3000, onChange: (l) => … });
 * await lease.start();
 * if (lease.isLeader()) commit();
 * await lease.stop(); // steps down (deletes the key) so a standby takes over at once
 * ```
 */
export class LeaderLease {
  private kv?: KV;
  private timer?: NodeJS.Timeout;
  private revision = 0;
  private validUntil = 0;
  private leader = false;
  private stopped = false;
  private busy = false;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private readonly renewMs: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: LeaderLeaseOptions,
  ) {
    this.renewMs = opts.renewMs ?? Math.max(50, Math.floor(opts.ttlMs / 3));
  }

  async start(): Promise<void> {
    const replicas = this.opts.replicas ?? storeReplicas(this.nc, this.opts.bucket);
    this.kv = await new Kvm(this.nc).create(this.opts.bucket, { history: 1, ttl: this.opts.ttlMs, replicas });
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.renewMs);
  }

  /** The lease as a command intake gate (libs/transport-jetstream): open while this replica leads. */
  isOpen(): boolean {
    return this.isLeader();
  }

  /** Calls `listener` on every gain and loss of the lease; returns the unsubscribe. */
  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True while this replica holds an unexpired lease. */
  isLeader(): boolean {
    if (this.leader && Date.now() >= this.validUntil) this.setLeader(false, 'lease not renewed in time');
    return this.leader;
  }

  /** Stops renewing. With `release` (a clean shutdown) the key is deleted so a standby takes over at once. */
  async stop({ release = true }: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const was = this.leader;
    this.setLeader(false, 'stopped');
    if (release && was && this.kv) {
      await this.kv.delete(this.opts.key, { previousSeq: this.revision }).catch(() => undefined);
    }
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped || !this.kv) return;
    this.busy = true;
    const started = Date.now();
    try {
      this.revision = this.leader ? await this.kv.update(this.opts.key, this.opts.holder, this.revision) : await this.acquire(this.kv);
      if (this.stopped) return;
      // Counted from before the request: the server's clock for the key started no earlier.
      this.validUntil = started + this.opts.ttlMs - this.renewMs;
      if (!this.leader) this.setLeader(true, 'lease acquired');
    } catch (err) {
      // Someone else holds the key (create refused), or NATS did not answer: a leader keeps trying
      // until its lease runs out (isLeader), a standby until the key ages out. An update refused for
      // its revision is final: another replica took the key, so step down now, not at expiry.
      if (this.leader && isWrongRevision(err)) this.setLeader(false, 'lease taken by another replica');
    } finally {
      this.busy = false;
      this.isLeader();
    }
  }

  /**
   * `create`, or — when the key still holds this replica's own id — an update at its revision: a
   * leader whose renewals were late (a stalled event loop) lost `isLeader()` but not the key, and
   * nobody else can have taken it; waiting for it to age out would leave the role empty for a TTL.
   */
  private async acquire(kv: KV): Promise<number> {
    try {
      return await kv.create(this.opts.key, this.opts.holder);
    } catch (err) {
      const entry = await kv.get(this.opts.key).catch(() => null);
      if (entry && entry.operation === 'PUT' && entry.string() === this.opts.holder) return kv.update(this.opts.key, this.opts.holder, entry.revision);
      throw err;
    }
  }

  private setLeader(leader: boolean, why: string): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.opts.log?.(`${this.opts.holder}: ${leader ? 'leader' : 'standby'} (${why})`);
    this.opts.onChange?.(leader);
    for (const l of [...this.listeners]) l(leader);
  }
}

/** JetStream's "wrong last sequence" (10071): the key was rewritten by someone else since our revision. */
function isWrongRevision(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 10071 || /wrong last sequence/i.test(String((err as Error)?.message));
}
