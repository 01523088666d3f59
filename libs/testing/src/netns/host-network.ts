import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeSubnet, planNetwork, SUBNET_COUNT, type HostPlan, type NetworkPlan } from './network-plan';
import { ip, namespacePids } from './ip-command';
import { ownerFile, sweepLeftovers, tearDown } from './leftover-sweep';

/**
 * Hosts for a test, made of Linux network namespaces (issue 12): one namespace per host with its
 * own address in 198.18.0.0/15 on `eth0`, all joined by veth pairs to a bridge in the root
 * namespace. The bridge has an address too, so the test itself (in the root namespace) reaches
 * every host; the hosts reach nothing else (no default route). Services run in a host as separate
 * processes (`ip netns exec`). Needs root; {@link namespacesUnavailable} says why not otherwise.
 *
 * Cleaning up is not left to the test's luck: `destroy()` (call it in afterAll) kills every process
 * left in the hosts and removes namespaces and links; an exit handler does the same when the test
 * process ends without it; and every new network first sweeps what earlier runs left (their names
 * share the `tyn` prefix and an owner file names their pid — only runs whose pid is gone are swept).
 *
 * @example
 * ```ts
 * const net = await createHostNetwork(['a', 'b']);
 * const server = net.host('a').spawn('nc', ['-l', '-p', '7000']);
 * await net.host('b').run('nc', ['-z', net.host('a').address, '7000']);
 * await net.host('a').cut();     // link down: b times out talking to a
 * await net.host('a').restore();
 * await net.destroy();
 * ```
 */
export interface HostNetwork extends AsyncDisposable {
  readonly plan: NetworkPlan;
  /** The root namespace's address on the hosts' network (the bridge's). */
  readonly bridgeAddress: string;
  readonly hosts: NetHost[];
  /** The host named `name`; throws for an unknown one. */
  host(name: string): NetHost;
  /** Kills every process in the hosts, removes the namespaces, veths and bridge. Idempotent. */
  destroy(): Promise<void>;
}

export interface NetHost {
  readonly name: string;
  readonly ns: string;
  readonly address: string;
  /** Whether {@link cut} took its link down. */
  readonly isCut: boolean;
  /** The argv prefix that runs a command in this host: `['ip', 'netns', 'exec', ns]`. */
  readonly exec: readonly string[];
  /** Starts `cmd` in this host (`ip netns exec` execs it, so the child's pid is the command's). */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Runs `cmd` in this host to its end. */
  run(cmd: string, args: string[], opts?: SpawnOptions): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Pulls the cable: its veth goes down, packets to and from it are dropped (connections are not reset). */
  cut(): Promise<void>;
  /** Plugs it back in. */
  restore(): Promise<void>;
  /** The pids of every process in this host's namespace. */
  pids(): number[];
}

let unavailable: string | undefined | null = null;

/**
 * Why namespaces cannot be made here (not root, no `ip`, a kernel or sandbox refusing
 * `ip netns add`), or `undefined` when they can. Synchronous and cached: for `describe.skipIf`.
 */
export function namespacesUnavailable(): string | undefined {
  if (unavailable !== null) return unavailable;
  const probe = `tyn${randomBytes(3).toString('hex').slice(0, 5)}-probe`;
  if (process.getuid?.() !== 0) unavailable = `network namespaces need root (uid ${process.getuid?.()})`;
  else {
    try {
      ip(['netns', 'add', probe]);
      ip(['netns', 'del', probe]);
      unavailable = undefined;
    } catch (err) {
      unavailable = `\`ip netns add\` failed: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return unavailable;
}

/** Makes the hosts (after sweeping earlier runs' leftovers); see {@link HostNetwork}. */
export async function createHostNetwork(hostNames: string[]): Promise<HostNetwork> {
  const why = namespacesUnavailable();
  if (why) throw new Error(`cannot make network namespaces: ${why}`);
  sweepLeftovers();
  const routes = ip(['-4', 'route', 'show', 'table', 'all']).split('\n').map((l) => l.split(' ')[0]!);
  const plan = planNetwork(randomBytes(3).toString('hex').slice(0, 5), freeSubnet(routes, randomInt(SUBNET_COUNT)), hostNames);
  // The owner file first: a sweep by another run must see this one as alive from its first name on.
  const owner = ownerFile(plan.prefix);
  mkdirSync(join(owner, '..'), { recursive: true });
  writeFileSync(owner, `${process.pid}\n`);
  let destroyed = false;
  const destroySync = () => {
    if (destroyed) return;
    destroyed = true;
    process.removeListener('exit', destroySync);
    tearDown(plan.prefix);
    rmSync(owner, { force: true });
  };
  process.once('exit', destroySync);
  try {
    ip(['link', 'add', plan.bridge, 'type', 'bridge']);
    ip(['addr', 'add', `${plan.bridgeAddress}/24`, 'dev', plan.bridge]);
    ip(['link', 'set', plan.bridge, 'up']);
    for (const h of plan.hosts) addHost(plan, h);
  } catch (err) {
    destroySync();
    throw err;
  }
  const hosts = plan.hosts.map(netHost);
  const network: HostNetwork = {
    plan,
    bridgeAddress: plan.bridgeAddress,
    hosts,
    host(name) {
      const h = hosts.find((x) => x.name === name);
      if (!h) throw new Error(`no host ${name} (hosts: ${hosts.map((x) => x.name).join(', ')})`);
      return h;
    },
    destroy: async () => destroySync(),
    [Symbol.asyncDispose]: async () => destroySync(),
  };
  return network;
}

function addHost(plan: NetworkPlan, h: HostPlan): void {
  ip(['netns', 'add', h.ns]);
  ip(['link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
  ip(['link', 'set', h.veth, 'master', plan.bridge]);
  ip(['link', 'set', h.veth, 'up']);
  ip(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
  ip(['-n', h.ns, 'link', 'set', 'eth0', 'up']);
  // Services may talk to themselves on 127.0.0.1 (a namespace's loopback starts down).
  ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
}

function netHost(h: HostPlan): NetHost {
  let isCut = false;
  const exec = ['ip', 'netns', 'exec', h.ns] as const;
  const spawnIn = (cmd: string, args: string[], opts: SpawnOptions = {}) => spawn(exec[0], [...exec.slice(1), cmd, ...args], opts);
  return {
    name: h.name,
    ns: h.ns,
    address: h.address,
    get isCut() {
      return isCut;
    },
    exec,
    spawn: spawnIn,
    run: (cmd, args, opts = {}) =>
      new Promise((resolve, reject) => {
        const child = spawnIn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d) => (stdout += d));
        child.stderr!.on('data', (d) => (stderr += d));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      }),
    async cut() {
      ip(['link', 'set', h.veth, 'down']);
      isCut = true;
    },
    async restore() {
      ip(['link', 'set', h.veth, 'up']);
      isCut = false;
    },
    pids: () => namespacePids(h.ns),
  };
}
