import type { NatsConnection } from '@nats-io/transport-node';
import type { StoredCommit } from '@trainyard/contracts';
import type { EventLog, Subscription } from '@trainyard/event-log';
import { CoalescingLoop } from './coalescing-loop';
import { LeaderLease } from './leader-lease';
import { PositionWaiters } from './position-waiters';

/** What a policy may ask of the replica it is plugged into. */
export interface ReplicaControl {
  readonly id: string;
  /** True while this replica holds the lease (always, without one). */
  isLeader(): boolean;
  /** Asks for a pass (folded into the one running, if any). */
  kick(): void;
  /** Waits until the folded log has reached `seq` (bounded); false when it has not. */
  caughtUpTo(seq: number): Promise<boolean>;
}

/**
 * The decisions of one role (the scheduler, the fault manager), plugged into {@link ReplicaShell}:
 * every replica folds every commit; only the leader runs passes. Pure of lease and subscription
 * plumbing, so each policy holds only what it decides.
 */
export interface ReplicaPolicy {
  /** Folds one commit into the policy's state (every replica, in stream order). */
  apply(commit: StoredCommit): void;
  /** One pass: decide from state and commit (leader only, one at a time). */
  pass(replica: ReplicaControl): Promise<void>;
  /** Starts side inputs (heartbeats, samples) before the log is folded. */
  start?(replica: ReplicaControl): void | Promise<void>;
  stop?(): void | Promise<void>;
}

export interface ReplicaShellOptions {
  /** The role, e.g. `scheduler`: names the lease key's default holder prefix and the log lines. */
  role: string;
  /** The lease (decision 7), or `false` to act alone. */
  lease: false | { bucket: string; key: string; ttlMs: number; renewMs?: number; holder?: string };
  /** How often a pass is asked for even when the log is quiet. */
  tickMs: number;
  /** Replica id when the lease names none. */
  id: string;
  say: (msg: string) => void;
}

/**
 * One replica of a leader-elected role (ARCHITECTURE decisions 6, 7): subscribe → fold → pass. It
 * folds the whole log into the policy, holds (or waits for) the lease, runs the policy's passes
 * while it leads — one at a time, once more if anything changed meanwhile — and lets a pass wait
 * until its own commits came back. It is also the command intake gate of the transport
 * (libs/transport-jetstream): open exactly while this replica leads.
 */
export class ReplicaShell implements ReplicaControl {
  readonly id: string;
  private readonly lease?: LeaderLease;
  private readonly waiters = new PositionWaiters(() => this.folded);
  private readonly loop: CoalescingLoop;
  private readonly listeners = new Set<(open: boolean) => void>();
  private folded = 0;
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Set once the fold has reached the log's end at start: no pass decides on a partial picture. */
  private ready = false;
  /** `false` makes `stop()` leave the lease to age out, as a crash would. */
  releaseLeaseOnStop = true;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: EventLog,
    private readonly policy: ReplicaPolicy,
    private readonly options: ReplicaShellOptions,
  ) {
    const lease = options.lease;
    this.id = (lease && lease.holder) || options.id;
    this.loop = new CoalescingLoop(
      () => this.policy.pass(this),
      () => this.isLeader(),
      (err) => options.say(`pass failed: ${err.message}`),
    );
    if (lease) {
      this.lease = new LeaderLease(nc, { ...lease, holder: this.id, log: options.say });
      this.lease.onChange((leader) => this.leadershipChanged(leader));
    }
  }

  /** Stream sequence of the last commit folded in. */
  get position(): number {
    return this.folded;
  }

  isLeader(): boolean {
    return !this.stopped && this.ready && (this.lease ? this.lease.isLeader() : true);
  }

  kick(): void {
    this.loop.kick();
  }

  async caughtUpTo(seq: number): Promise<boolean> {
    const reached = await this.waiters.wait(seq);
    if (!reached && !this.stopped) this.options.say(`the log has not shown seq ${seq} yet; going on`);
    return reached;
  }

  // IntakeGate (libs/transport-jetstream): commands only while leading.
  isOpen(): boolean {
    return this.isLeader();
  }

  onChange(listener: (open: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Folds the log up to its end, then seeks the lease; resolves once this replica is leader or standby. */
  async start(): Promise<void> {
    await this.policy.start?.(this);
    this.sub = this.log.subscribe({ onError: (err) => this.options.say(`log subscription: ${(err as Error).message}`) }, (commit) => {
      this.policy.apply(commit);
      this.folded = commit.seq;
      this.waiters.release();
      this.kick();
    });
    await this.sub.caughtUp;
    this.ready = true;
    this.timer = setInterval(() => this.kick(), this.options.tickMs);
    if (this.lease) await this.lease.start();
    else this.leadershipChanged(true);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.notify(false);
    await this.lease?.stop({ release: this.releaseLeaseOnStop });
    await this.sub?.stop();
    await this.policy.stop?.();
    this.waiters.close();
  }

  private leadershipChanged(leader: boolean): void {
    this.notify(leader && !this.stopped);
    if (leader) this.kick();
  }

  private notify(open: boolean): void {
    for (const l of [...this.listeners]) l(open);
  }
}
