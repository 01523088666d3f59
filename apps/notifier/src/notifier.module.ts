import { Controller, type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Streams, type StoredCommit } from '@trainyard/contracts';
import { applyNotifierChanges, type DatabaseHandle, insertDeadLetter, notifierJobWithSubscriptions, subscriptionsForJob } from '@trainyard/db';
import { Quarantine } from '@trainyard/quarantine';
import type { CommitContext } from '@trainyard/transport-jetstream';
import { DeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker';
import { notifierChanges } from './notifier-fold';

/** The `@EventPattern` of every commit of the log (durable consumer `notifier` over `ty.ev.>`). */
export const NOTIFIER_COMMITS = 'notifier-commits';
const DATABASE = Symbol('NotifierDatabase');

/**
 * Each commit, folded into the notifier's tables with the deliveries it makes, in one transaction,
 * before it is acked: a notifier that dies before the ack gets the commit again and changes nothing
 * more (every write is idempotent), one that restarts resumes at its durable's position.
 */
@Controller()
export class NotifierCommitsController {
  // A commit the fold cannot apply (a store error that repeats) is kept as a dead letter in the
  // database after the policy's attempts, so one bad commit never stalls every later notification.
  private readonly quarantine: Quarantine;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(DeliveryWorker) private readonly worker: DeliveryWorker,
  ) {
    this.quarantine = new Quarantine({ consumer: 'notifier', sink: { record: async (letter) => void (await insertDeadLetter(database.db, letter)) } });
  }

  @EventPattern<string>(NOTIFIER_COMMITS)
  async onCommit(@Payload() commit: StoredCommit, @Ctx() ctx: CommitContext): Promise<void> {
    try {
      await this.fold(commit);
      if (ctx.deliveryCount > 1) this.quarantine.succeeded({ stream: Streams.events, seq: commit.seq });
    } catch (err) {
      const verdict = await this.quarantine.failed({ stream: Streams.events, seq: commit.seq, subject: commit.subject }, err, ctx.deliveryCount);
      if (verdict.action === 'retry') throw Object.assign(err instanceof Error ? err : new Error(String(err)), { retryAfterMs: verdict.delayMs });
    }
  }

  private async fold(commit: StoredCommit): Promise<void> {
    const db = this.database.db;
    const changes = await notifierChanges(commit, { jobWithSubscriptions: (id) => notifierJobWithSubscriptions(db, id), subscriptionsForJob: (id, p) => subscriptionsForJob(db, id, p) }, new Date());
    if (!changes.subscribed?.length && !changes.unsubscribed?.length && !changes.jobs?.length && !changes.deliveries?.length) return;
    await applyNotifierChanges(db, changes);
    if (changes.deliveries?.length) this.worker.nudge();
  }
}

/** The sender runs from before the first commit flows until after the last one was handled. */
@Injectable()
class NotifierLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(DeliveryWorker) private readonly worker: DeliveryWorker) {}

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.worker.stop();
  }
}

/** The notifier as a Nest module: the commit handler and the delivery worker on one database. */
@Module({})
export class NotifierModule {
  static forRoot(deps: { database: DatabaseHandle; delivery: DeliveryWorkerOptions }): DynamicModule {
    return {
      module: NotifierModule,
      controllers: [NotifierCommitsController],
      providers: [
        { provide: DATABASE, useValue: deps.database },
        { provide: DeliveryWorker, useFactory: () => new DeliveryWorker(deps.database, deps.delivery) },
        NotifierLifecycle,
      ],
    };
  }
}
