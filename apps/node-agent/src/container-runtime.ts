import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import type { ExecResult } from '@trainyard/contracts';
import { execInContainer } from './container-exec';
import { containerName, createOptions, identityFilters, type ContainerDefaults } from './container-create-options';
import { exitFromStatus } from './exit-status';
import { dockerFrames, pumpLines } from './output-pump';
import { countersFromStats, type EngineStats } from './container-stats';
import type { GroupCounters } from './resource-sampler';
import { SpecError } from './spec-error';
import { LaunchError, type LineSink, type TaskExit, type TaskHandle, type TaskIdentity, type TaskRuntime } from './task-runtime';

export interface ContainerRuntimeOptions {
  /** Docker Engine API socket (Docker's, or Podman's compatible one). Default: `defaultContainerSocket()`. */
  socketPath?: string;
  /** Run-as user when the job names none: the guide's 1000 (L1502-1509). */
  uid?: number;
  /** Size of each container's `/dev/shm`. Default 8 GiB: PyTorch data loaders share batches through it. */
  shmSizeBytes?: number;
  /** How long pulling a missing image may take. Default 10 min. */
  pullTimeoutMs?: number;
}

/** `TY_CONTAINER_SOCKET`, else Podman's or Docker's socket, whichever exists (Podman's when neither does). */
export function defaultContainerSocket(env: Record<string, string | undefined> = process.env): string {
  if (env.TY_CONTAINER_SOCKET) return env.TY_CONTAINER_SOCKET;
  return ['/run/podman/podman.sock', '/var/run/docker.sock'].find((p) => existsSync(p)) ?? '/run/podman/podman.sock';
}

/**
 * The container runtime (ARCHITECTURE decision 8): each task is one container created through the
 * Docker Engine API (dockerode), labelled with its node, job, task and attempt. Output is read through
 * the logs API from the first line, never through an attach, so a restarted agent that replays it
 * sees the very same lines in the same order. The container is kept after it exits, holding its exit
 * code and log, until the agent has reported the exit (`release`).
 */
export function containerRuntime(options: ContainerRuntimeOptions = {}): TaskRuntime {
  const socketPath = options.socketPath ?? defaultContainerSocket();
  const docker = new Docker({ socketPath });
  const defaults: ContainerDefaults = { uid: options.uid ?? 1000, shmSizeBytes: options.shmSizeBytes ?? 8 * 2 ** 30 };
  const pullTimeoutMs = options.pullTimeoutMs ?? 600_000;
  const unreachable = (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ECONNREFUSED' ? ` (no container engine answers on ${socketPath})` : '';
  };

  async function ensureImage(image: string): Promise<void> {
    try {
      await docker.getImage(image).inspect();
      return;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw new LaunchError(`cannot inspect image ${image}: ${message(err)}${unreachable(err)}`, { cause: err });
    }
    try {
      const stream = await docker.pull(image);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no image after ${pullTimeoutMs} ms`)), pullTimeoutMs);
        docker.modem.followProgress(stream, (err: Error | null, output: { error?: string; errorDetail?: { message?: string } }[] = []) => {
          clearTimeout(timer);
          // An engine reports a failed pull inside the progress stream, not as an HTTP error.
          const failed = output.map((o) => o.errorDetail?.message ?? o.error).filter(Boolean).at(-1);
          if (err || failed) reject(err ?? new Error(failed));
          else resolve();
        });
      });
      await docker.getImage(image).inspect();
    } catch (err) {
      // The job's image (a typo, a private registry): a user error, never evidence against the node.
      throw new SpecError('algorithm.image', 'image-unavailable', `image ${image} is not on this node and cannot be pulled: ${message(err)}`, { cause: err });
    }
  }

  return {
    async launch(spec, onLine) {
      if (!spec.container) throw new LaunchError('the container runtime needs an image (algorithm.image)');
      await ensureImage(spec.container.image);
      let container: Docker.Container;
      try {
        container = await docker.createContainer(createOptions(spec, defaults));
      } catch (err) {
        // Docker answers 409; Podman 500 "name … is already in use".
        const conflict = (err as { statusCode?: number }).statusCode === 409 || /already in use/.test(message(err));
        const taken = conflict && spec.identity ? ` (${containerName(spec.identity)} exists: launched before)` : '';
        throw new LaunchError(`cannot create the container: ${message(err)}${taken}${unreachable(err)}`, { cause: err });
      }
      try {
        await container.start();
      } catch (err) {
        // Nothing ran: leave nothing behind.
        await container.remove({ force: true }).catch(() => undefined);
        throw new LaunchError(`cannot start the container: ${message(err)}`, { cause: err });
      }
      return ContainerTask.follow(container, onLine);
    },

    async adopt(identity: TaskIdentity, onLine: LineSink) {
      const found = await docker.listContainers({ all: true, filters: { label: identityFilters(identity) } });
      if (found.length === 0) return undefined;
      const container = docker.getContainer(found[0].Id);
      // Created but never started (the agent died in between): nothing ran; it goes, and the attempt
      // counts as never started.
      if (found[0].State === 'created') {
        await container.remove({ force: true }).catch(() => undefined);
        return undefined;
      }
      return ContainerTask.follow(container, onLine);
    },

    async everStarted(identity: TaskIdentity) {
      // A started container is kept until its exit is reported: none with the labels, none ran.
      const found = await docker.listContainers({ all: true, filters: { label: identityFilters(identity) } });
      return found.some((c) => c.State !== 'created');
    },
  };
}

class ContainerTask implements TaskHandle {
  readonly exited: Promise<TaskExit>;
  stopRequested = false;
  private killTimer?: NodeJS.Timeout;
  private done = false;
  private detached = false;
  private logs?: NodeJS.ReadableStream;

  static async follow(container: Docker.Container, onLine: LineSink): Promise<ContainerTask> {
    const info = await container.inspect();
    // From the first line, whether the container runs or has ended: the same lines on every replay.
    const logs = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
    return new ContainerTask(container, info.State.Pid, logs, onLine);
  }

  private constructor(
    private readonly container: Docker.Container,
    readonly pid: number,
    logs: NodeJS.ReadableStream,
    onLine: LineSink,
  ) {
    this.logs = logs;
    // A stream cut by the engine ends the output (the exit still comes from the engine); one cut by
    // detach() ends nothing: the task goes on without this follower.
    const output = pumpLines(dockerFrames(logs as AsyncIterable<Buffer>), onLine).catch(() =>
      this.detached ? new Promise<never>(() => undefined) : undefined,
    );
    const status = container.wait().then((r: { StatusCode: number }) => r.StatusCode);
    this.exited = Promise.all([status, output]).then(([code]) => {
      this.done = true;
      clearTimeout(this.killTimer);
      return this.detached ? new Promise<never>(() => undefined) : exitFromStatus(code);
    });
  }

  stop(graceMs: number): Promise<TaskExit> {
    if (!this.stopRequested && !this.done) {
      this.stopRequested = true;
      void this.signal('SIGTERM');
      this.killTimer = setTimeout(() => void this.signal('SIGKILL'), graceMs);
    }
    this.stopRequested = true;
    return this.exited;
  }

  stopNow(): void {
    if (!this.stopRequested || this.done) return;
    clearTimeout(this.killTimer);
    void this.signal('SIGKILL');
  }

  exec(command: string[], timeoutMs: number): Promise<ExecResult> {
    return execInContainer(this.container, command, timeoutMs);
  }

  async release(): Promise<void> {
    await this.container.remove({ force: true, v: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  }

  detach(): void {
    this.detached = true;
    clearTimeout(this.killTimer);
    (this.logs as unknown as { destroy?: () => void }).destroy?.();
  }

  /**
   * One stats answer of the engine (no stream: one reading per sampler tick). `one-shot`: the sampler
   * computes rates from its own two readings, so Docker need not wait a second for `precpu_stats`. An
   * engine that does not answer in 10 s fails the reading rather than stalling the sampler.
   */
  async resourceCounters(): Promise<GroupCounters> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('container stats: no answer in 10 s')), 10_000);
    });
    try {
      const stats = await Promise.race([this.container.stats({ stream: false, 'one-shot': true }), late]);
      return countersFromStats(stats as unknown as EngineStats);
    } finally {
      clearTimeout(timer);
    }
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    // 409/404: it is not running (any more).
    await this.container.kill({ signal }).catch(() => undefined);
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).trim();
