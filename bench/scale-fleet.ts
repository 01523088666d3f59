import { resolve } from 'node:path';
import { connectNats } from '@trainyard/event-log';
import { fakeTaskPlan } from '@trainyard/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadAgentConfig, startNodeAgent, type NodeAgentHandle, type TaskExit, type TaskHandle, type TaskRuntime } from '../apps/node-agent/src/index';

/**
 * The simulated fleet of issue 19: many real node agents (`startNodeAgent`, so registration,
 * heartbeats on `ty.hb.<node>`, the node subject's durable consumer and the started/exited reports are
 * the agent's own code) in one process, sharing a few NATS connections, each with a fake task runtime
 * that runs nothing: it waits the plan of `fakeTaskPlan` (the job's command) and exits.
 */
export interface FleetOptions {
  natsUrl: string;
  /** Root of the agents' work dirs (the agent still prepares task dirs on disk). */
  dataDir: string;
  agents: number;
  /** Agents per NATS connection. Default 100. */
  agentsPerConnection?: number;
  heartbeatMs?: number;
  capacity?: { cpu: number; memoryMiB: number; gpu: number; npu: number };
  /** Node ids are `<prefix><n>`. Default `sim-`. */
  prefix?: string;
}

export interface Fleet {
  agents: NodeAgentHandle[];
  /** Fake tasks launched so far. */
  launched(): number;
  stop(): Promise<void>;
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const perConnection = opts.agentsPerConnection ?? 100;
  const connections: NatsConnection[] = [];
  const agents: NodeAgentHandle[] = [];
  const runtime = fakeRuntime();
  try {
    for (let i = 0; i < opts.agents; i++) {
      if (i % perConnection === 0) connections.push(await connectNats(opts.natsUrl, `trainyard-sim-fleet-${connections.length}`));
      const nodeId = `${opts.prefix ?? 'sim-'}${i}`;
      // Fake tasks run nothing, so no job user needs to reach the work dir.
      const config = loadAgentConfig({ TY_PREFLIGHT: 'off', TY_TASK_USER: 'agent' }, {
        natsServers: [opts.natsUrl],
        nodeId,
        capacity: opts.capacity ?? { cpu: 8, memoryMiB: 8192, gpu: 0, npu: 0 },
        heartbeatMs: opts.heartbeatMs ?? 5_000,
        stopGraceMs: 500,
        workDir: resolve(opts.dataDir, nodeId),
      });
      agents.push(await startNodeAgent(config, {
        nc: connections[connections.length - 1],
        runtimes: { process: runtime },
        resourceSampleMs: 3_600_000,
        logger: quietLogger,
      }));
    }
  } catch (err) {
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all(connections.map((c) => c.close()));
    throw err;
  }
  return {
    agents,
    launched: () => runtime.launched,
    stop: async () => {
      await Promise.all(agents.map((a) => a.stop()));
      await Promise.all(connections.map((c) => c.close()));
    },
  };
}

/** A task runtime that runs nothing: each launch waits its plan and exits (or waits for `stop`). */
export function fakeRuntime(): TaskRuntime & { launched: number } {
  let nextPid = 1_000_000;
  const rt = {
    launched: 0,
    async launch(spec: Parameters<TaskRuntime['launch']>[0]): Promise<TaskHandle> {
      // A prologue (ssh trust) may come before the job's command line.
      const plan = fakeTaskPlan(spec.command.trimEnd().split('\n').at(-1) ?? '', spec.identity?.attempt ?? 1);
      rt.launched++;
      let end!: (exit: TaskExit) => void;
      const exited = new Promise<TaskExit>((ok) => (end = ok));
      let timer: NodeJS.Timeout | undefined;
      if (plan.runMs !== 'hold') timer = setTimeout(() => end({ exitCode: plan.exitCode, signal: null }), plan.runMs);
      let stopRequested = false;
      return {
        pid: nextPid++,
        exited,
        get stopRequested() {
          return stopRequested;
        },
        resourceCounters: async () => ({ cpuTicks: 0, rssBytes: 0, readBytes: 0, writeBytes: 0, processes: 1 }),
        stop: async () => {
          stopRequested = true;
          clearTimeout(timer);
          end({ exitCode: null, signal: 'SIGTERM' });
          return exited;
        },
      };
    },
  };
  return rt;
}

const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;
