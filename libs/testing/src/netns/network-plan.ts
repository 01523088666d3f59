/**
 * The names and addresses of one test's hosts, as plain data (no I/O): a Linux bridge in the root
 * namespace and, per host, a network namespace joined to it by a veth pair. Every name starts with
 * the run's prefix (`tyn` + 5 hex digits), so a later run can tell its own leftovers from anyone
 * else's; every address is in 198.18.0.0/15 (RFC 2544, benchmarking), which nothing else here uses.
 */

/** What every run's names start with; {@link LEFTOVER_NAME} recognises them. */
export const NAME_PREFIX = 'tyn';

/** 198.18.0.0/15 holds 512 /24 subnets; a run takes one. */
export const SUBNET_COUNT = 512;

/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

/** A run's namespace (`tyn1a2b3-name`) or link (`tyn1a2b3br`, `tyn1a2b3v0`): group 1 is the run prefix. */
export const LEFTOVER_NAME = /^(tyn[0-9a-f]{5})(?:-[a-z0-9-]+|br|v\d{1,3})$/;

const HOST_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export interface HostPlan {
  /** The test's name of the host (`nats-1`). */
  name: string;
  /** Its network namespace. */
  ns: string;
  /** The root-namespace end of its veth pair, on the bridge; the namespace end is `eth0`. */
  veth: string;
  /** Its address (no prefix length). */
  address: string;
}

export interface NetworkPlan {
  prefix: string;
  bridge: string;
  /** The bridge's own address: the root namespace's (the test's) address on the hosts' network. */
  bridgeAddress: string;
  /** `198.18.x.0/24` */
  subnet: string;
  hosts: HostPlan[];
}

/** The subnet `index` (0–511) of 198.18.0.0/15: `198.18.7.0/24`, `198.19.4.0/24`. */
export function subnetBase(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= SUBNET_COUNT) throw new RangeError(`subnet index ${index} not in 0..${SUBNET_COUNT - 1}`);
  return `198.${18 + (index >> 8)}.${index & 255}`;
}

/**
 * The plan for `hosts` in subnet `subnetIndex` under run id `runId` (5 hex digits). The bridge is
 * `.1`, the hosts `.2` on, in order; at most 253 hosts.
 */
export function planNetwork(runId: string, subnetIndex: number, hosts: string[]): NetworkPlan {
  if (!/^[0-9a-f]{5}$/.test(runId)) throw new Error(`run id ${JSON.stringify(runId)} must be 5 lowercase hex digits`);
  if (hosts.length === 0 || hosts.length > 253) throw new RangeError(`${hosts.length} hosts: 1 to 253 fit a /24`);
  const seen = new Set<string>();
  for (const h of hosts) {
    if (!HOST_NAME.test(h)) throw new Error(`host name ${JSON.stringify(h)} must match ${HOST_NAME}`);
    if (seen.has(h)) throw new Error(`host name ${h} given twice`);
    seen.add(h);
  }
  const prefix = `${NAME_PREFIX}${runId}`;
  const base = subnetBase(subnetIndex);
  return {
    prefix,
    bridge: `${prefix}br`,
    bridgeAddress: `${base}.1`,
    subnet: `${base}.0/24`,
    hosts: hosts.map((name, i) => ({ name, ns: `${prefix}-${name}`, veth: `${prefix}v${i}`, address: `${base}.${i + 2}` })),
  };
}

/**
 * A subnet index no route of the root namespace already covers (`routes`: destinations as
 * `ip route` prints them, e.g. `198.18.7.0/24`), starting from `start` (a random number, so two
 * runs at once rarely try the same one first).
 */
export function freeSubnet(routes: string[], start: number): number {
  const taken = new Set(routes);
  for (let k = 0; k < SUBNET_COUNT; k++) {
    const i = (((start + k) % SUBNET_COUNT) + SUBNET_COUNT) % SUBNET_COUNT;
    if (!taken.has(`${subnetBase(i)}.0/24`)) return i;
  }
  throw new Error('every /24 of 198.18.0.0/15 is routed already');
}

/** The run prefixes that own these namespace or link names (others' names are ignored). */
export function runPrefixesOf(names: string[]): string[] {
  const out = new Set<string>();
  for (const n of names) {
    const m = LEFTOVER_NAME.exec(n);
    if (m) out.add(m[1]!);
  }
  return [...out].sort();
}
