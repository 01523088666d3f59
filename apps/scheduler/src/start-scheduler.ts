import { ReplicaShell, replicaApp, type ReplicaApp } from '@trainyard/replica';
import { startService } from '@trainyard/transport-jetstream';
import { SchedulerModule, type SchedulerDeps } from './scheduler.module';

/** A running scheduler replica. */
export type SchedulerApp = ReplicaApp;

/**
 * Starts one scheduler replica as a Nest microservice on the JetStream transport.
 * `finally`/`handleSignals`: see `startService` (a process of its own passes both).
 */
export async function startScheduler(deps: SchedulerDeps, process: { finally?: (() => unknown)[]; handleSignals?: boolean } = {}): Promise<SchedulerApp> {
  const { app } = await startService({ module: SchedulerModule.forRoot(deps), nc: deps.nc, log: deps.log, gate: (a) => a.get(ReplicaShell), ...process });
  return replicaApp(app);
}
