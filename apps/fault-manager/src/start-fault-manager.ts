import { ReplicaShell, replicaApp, type ReplicaApp } from '@trainyard/replica';
import { startService } from '@trainyard/transport-jetstream';
import { FaultManagerModule, type FaultManagerModuleDeps } from './fault-manager.module';

/** A running fault-manager replica. */
export type FaultManagerApp = ReplicaApp;

/** Starts one fault-manager replica as a Nest microservice on the JetStream transport. */
export async function startFaultManager(deps: FaultManagerModuleDeps, process: { finally?: (() => unknown)[]; handleSignals?: boolean } = {}): Promise<FaultManagerApp> {
  const { app } = await startService({ module: FaultManagerModule.forRoot(deps), nc: deps.nc, log: deps.log, gate: (a) => a.get(ReplicaShell), ...process });
  return replicaApp(app);
}
