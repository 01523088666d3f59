import { awaitStreams } from '@trainyard/event-log';
import { ReplicaShell, replicaApp, type ReplicaApp } from '@trainyard/replica';
import { startService } from '@trainyard/transport-jetstream';
import { Tuner } from './tuner';
import { TunerModule, type TunerModuleDeps } from './tuner.module';

/** A running tuner replica; `tuner` is its policy (the searches as it folded them). */
export type TunerApp = ReplicaApp & { tuner: Tuner };

/** Starts one tuner replica (issue 15) as a Nest microservice on the JetStream transport. */
export async function startTuner(deps: TunerModuleDeps, process: { finally?: (() => unknown)[]; handleSignals?: boolean } = {}): Promise<TunerApp> {
  await awaitStreams(deps.nc, { streams: ['events'] });
  const { app } = await startService({ module: TunerModule.forRoot(deps), nc: deps.nc, log: deps.log, gate: (a) => a.get(ReplicaShell), ...process });
  return Object.assign(replicaApp(app), { tuner: app.get(Tuner) });
}
