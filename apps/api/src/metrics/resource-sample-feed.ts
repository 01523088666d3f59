import type { OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { decodeResourceSample, Subjects } from '@trainyard/contracts';
import { ContainerMetricsView } from '@trainyard/telemetry';

/** Feeds every agent's resource samples (`ty.metrics.*`) into the guide's container metrics on `/metrics`. */
export class ResourceSampleFeed implements OnModuleDestroy {
  readonly view = new ContainerMetricsView();
  private readonly sub: Subscription;

  constructor(nc: NatsConnection) {
    this.sub = nc.subscribe(Subjects.metricsAll, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const s = decodeResourceSample(msg.json());
          if (s) this.view.apply(s);
        } catch {
          // Not JSON: ignore.
        }
      },
    });
  }

  onModuleDestroy(): void {
    this.sub.unsubscribe();
  }
}
