import { Inject, Injectable, type INestMicroservice, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ReplicaShell } from './replica-shell';

/**
 * A replica's lifetime in its Nest module: folds the log and seeks the lease before the transport
 * listens; steps down after it closed. The scheduler's and the fault manager's modules provide it
 * beside their `ReplicaShell`.
 */
@Injectable()
export class ReplicaLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(ReplicaShell) private readonly shell: ReplicaShell) {}

  onApplicationBootstrap(): Promise<void> {
    return this.shell.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.shell.stop();
  }
}

/** A running replica (scheduler, fault manager) as its starter hands it out. */
export interface ReplicaApp {
  readonly id: string;
  readonly app: INestMicroservice;
  /** True while this replica decides, commits and answers commands. */
  isLeader(): boolean;
  /** Stream sequence of the last commit folded in. */
  readonly position: number;
  /**
   * Closes the application: leaves the command queue group, stops the passes and the fold.
   * `releaseLease: false` imitates a crash: the lease is left to age out (a standby takes over after its TTL).
   */
  stop(opts?: { releaseLease?: boolean }): Promise<void>;
}

/** The handle of a started replica application (its `ReplicaShell` provided by its module). */
export function replicaApp(app: INestMicroservice): ReplicaApp {
  const shell = app.get(ReplicaShell);
  return {
    id: shell.id,
    app,
    isLeader: () => shell.isLeader(),
    get position() {
      return shell.position;
    },
    async stop({ releaseLease = true } = {}) {
      shell.releaseLeaseOnStop = releaseLease;
      await app.close();
    },
  };
}
