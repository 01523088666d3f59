import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireContainerEngine, TEST_IMAGE, TEST_SOCKET } from '../apps/node-agent/src/container-runtime.fixture';
import { eventually } from './support/eventually';
import { logLines, submit } from './support/fault-injection';
import { buildOnce, startService, type ServiceProcess } from './support/processes';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

const NODE = 'gpu-eight';
const FAKE_SMI = resolve(__dirname, 'fixtures/fake-smi/gpu-eight');

/**
 * The engine socket with a tap (issue 14): every byte goes through to Podman unchanged, and what the
 * agent sent is kept, so the test reads the create call the engine received. (Podman 4.3 accepts an
 * NVIDIA device request but neither keeps it in its inspect output nor needs a GPU to run the task.)
 */
function tappedSocket(target: string, path: string): { server: Server; sent: () => string } {
  let sent = '';
  const server = createServer((client) => {
    const engine = createConnection(target);
    client.on('data', (d) => (sent += d.toString('latin1')));
    client.pipe(engine);
    engine.pipe(client);
    engine.on('error', () => client.destroy());
    client.on('error', () => engine.destroy());
  });
  server.listen(path);
  return { server, sent: () => sent };
}

/**
 * The task's own cards end to end: an agent process on a node whose `nvidia-smi` (the gpu-eight fake)
 * lists eight GPUs declares them by id, the scheduler hands each task its own, the process runtime
 * confines a host process with `CUDA_VISIBLE_DEVICES`, and the container runtime sends the engine an
 * NVIDIA device request for exactly the task's cards.
 */
describe('task devices - each task sees only the cards the scheduler gave it', () => {
  let t: TestCluster;
  let docker: Docker;
  let agent: ServiceProcess;
  let tap: ReturnType<typeof tappedSocket>;
  let sockDir: string;

  beforeAll(async () => {
    docker = await requireContainerEngine();
    buildOnce();
    t = await startTestCluster({ agents: [] });
    sockDir = mkdtempSync(join(tmpdir(), 'ty-tap-'));
    tap = tappedSocket(TEST_SOCKET, join(sockDir, 'engine.sock'));
    agent = await startService(NODE, 'node-agent', {
      TY_NATS_URL: t.nats.url,
      TY_NODE_ID: NODE,
      TY_NODE_CPU: '4',
      TY_NODE_MEMORY_MIB: '4096',
      TY_NODE_WORK_DIR: join(t.dataDir, 'agents', NODE),
      TY_HEARTBEAT_MS: '500',
      TY_STOP_GRACE_MS: '1000',
      TY_CONTAINER_SOCKET: join(sockDir, 'engine.sock'),
      // No TY_NODE_GPU: the agent counts the cards nvidia-smi lists. The pre-check is not under test.
      TY_PREFLIGHT_PATH: `${FAKE_SMI}:${process.env.PATH}`,
      TY_PREFLIGHT: 'off',
    }, /node agent ready/);
  });

  afterAll(async () => {
    await agent?.stop();
    await t?.[Symbol.asyncDispose]();
    tap?.server.close();
    const left = await docker?.listContainers({ all: true, filters: { label: [`io.trainyard.node=${NODE}`] } });
    for (const c of left ?? []) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    if (sockDir) rmSync(sockDir, { recursive: true, force: true });
  });

  const gpuJob = (name: string, gpu: number, command: string, extra: Record<string, unknown> = {}) => {
    const spec = shellJob(name, command, 1, extra);
    spec.spec.resource.flavor = { cpu: 0.5, memoryMiB: 128, gpu };
    return spec;
  };
  const cardsOf = (lines: string[]) => lines.find((l) => l.startsWith('cards='))!.slice('cards='.length).split(',');

  it('inventory - the node registers the eight cards nvidia-smi lists', async () => {
    const node = await eventually(async () => {
      const nodes = (await t.api.call('GET', '/v1/nodes')).body;
      return (nodes.items ?? nodes).find((n: any) => n.id === NODE);
    });
    expect(node.capacity.gpu).toBe(8);
  });

  it('process runtime - two GPU jobs running together on the 8-GPU node see disjoint CUDA_VISIBLE_DEVICES', async () => {
    // Both print their cards and stay up until the other has printed too: they overlap in time.
    const script = 'echo "cards=$CUDA_VISIBLE_DEVICES"; sleep 4';
    const a = await submit(t.api, gpuJob('cards-a', 4, script));
    const b = await submit(t.api, gpuJob('cards-b', 3, script));
    await t.api.waitFor(a, 'running');
    await t.api.waitFor(b, 'running');
    const ca = cardsOf(await logLines(t.api, a, 'worker-0', 1, /^cards=/));
    const cb = cardsOf(await logLines(t.api, b, 'worker-0', 1, /^cards=/));
    expect(ca).toHaveLength(4);
    expect(cb).toHaveLength(3);
    expect(ca.filter((c) => cb.includes(c))).toEqual([]);
    expect([...ca, ...cb].every((c) => /^[0-7]$/.test(c))).toBe(true);
    // While both run, a job asking for the two cards left waits for one of them to end, then gets freed cards.
    const c = await submit(t.api, gpuJob('cards-c', 2, script));
    await t.api.waitFor(a, 'completed', 30_000);
    await t.api.waitFor(c, 'completed', 30_000);
    const cc = cardsOf(await logLines(t.api, c, 'worker-0', 1, /^cards=/));
    expect(cc).toHaveLength(2);
    await t.api.waitFor(b, 'completed', 30_000);
  });

  it('container runtime - the engine receives an NVIDIA device request for the task\'s cards, and the container the toolkit variable', async () => {
    const spec = gpuJob('boxed-cards', 2, 'echo "cards=$NVIDIA_VISIBLE_DEVICES cuda=${CUDA_VISIBLE_DEVICES:-unset}"', { runtime: 'container' });
    spec.algorithm.image = TEST_IMAGE;
    const id = await submit(t.api, spec);
    await t.api.waitFor(id, 'completed', 60_000).catch((err) => {
      throw new Error(`${err.message}\n${agent.output().split('\n').filter((l) => l.includes(id)).join('\n')}`);
    });
    const line = (await logLines(t.api, id, 'worker-0', 1, /^cards=/)).find((l) => l.startsWith('cards='))!;
    const [cards, cuda] = line.split(' ');
    const ids = cards.slice('cards='.length).split(',');
    expect(ids).toHaveLength(2);
    expect(cuda).toBe('cuda=unset');
    const create = tap.sent().split('POST ').find((r) => r.includes(`ty-${NODE}-${id}-worker-0-1`) && r.includes('/containers/create'))!;
    const body = JSON.parse(create.slice(create.indexOf('{')));
    expect(body.HostConfig.DeviceRequests).toEqual([{ Driver: 'nvidia', DeviceIDs: ids, Capabilities: [['gpu']] }]);
  });
});
