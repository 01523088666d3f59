import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freeSubnet, IFNAME_MAX, LEFTOVER_NAME, planNetwork, runPrefixesOf, subnetBase, SUBNET_COUNT } from './network-plan';

const inBenchmarkRange = (a: string) => {
  const [o1, o2, o3, o4] = a.split('.').map(Number);
  return o1 === 198 && (o2 === 18 || o2 === 19) && o3! >= 0 && o3! <= 255 && o4! >= 0 && o4! <= 255;
};

const hostNames = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/), { minLength: 1, maxLength: 253 });

describe('network plan - names and addresses of a test\'s hosts', () => {
  it('gives the bridge .1 and the hosts .2 on, in order, with names under the run prefix', () => {
    expect(planNetwork('0a1b2', 7, ['nats-1', 'db'])).toEqual({
      prefix: 'tyn0a1b2',
      bridge: 'tyn0a1b2br',
      bridgeAddress: '198.18.7.1',
      subnet: '198.18.7.0/24',
      hosts: [
        { name: 'nats-1', ns: 'tyn0a1b2-nats-1', veth: 'tyn0a1b2v0', address: '198.18.7.2' },
        { name: 'db', ns: 'tyn0a1b2-db', veth: 'tyn0a1b2v1', address: '198.18.7.3' },
      ],
    });
    expect(subnetBase(256 + 4)).toBe('198.19.4');
  });

  it('refuses what would make a bad name or no address', () => {
    expect(() => planNetwork('XYZ', 0, ['a'])).toThrow(/run id/);
    expect(() => planNetwork('00000', 0, ['A host'])).toThrow(/host name/);
    expect(() => planNetwork('00000', 0, ['a', 'a'])).toThrow(/twice/);
    expect(() => planNetwork('00000', 0, [])).toThrow(/1 to 253/);
    expect(() => planNetwork('00000', SUBNET_COUNT, ['a'])).toThrow(RangeError);
  });

  it('property: every address is in 198.18.0.0/15 and distinct, every link name fits IFNAMSIZ, every name is recognised as the run\'s', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{5}$/), fc.integer({ min: 0, max: SUBNET_COUNT - 1 }), hostNames, (runId, subnet, hosts) => {
        const p = planNetwork(runId, subnet, hosts);
        const addresses = [p.bridgeAddress, ...p.hosts.map((h) => h.address)];
        expect(addresses.every(inBenchmarkRange)).toBe(true);
        expect(new Set(addresses).size).toBe(addresses.length);
        expect([p.bridge, ...p.hosts.map((h) => h.veth)].every((n) => n.length <= IFNAME_MAX)).toBe(true);
        expect(new Set(p.hosts.map((h) => h.ns)).size).toBe(hosts.length);
        const names = [p.bridge, ...p.hosts.flatMap((h) => [h.ns, h.veth])];
        expect(names.every((n) => LEFTOVER_NAME.exec(n)?.[1] === p.prefix)).toBe(true);
        expect(runPrefixesOf(names)).toEqual([p.prefix]);
      }),
    );
  });

  it('picks a subnet nothing routes yet, wrapping around, and says so when all are taken', () => {
    expect(freeSubnet([], 5)).toBe(5);
    expect(freeSubnet(['198.18.5.0/24', '198.18.6.0/24'], 5)).toBe(7);
    expect(freeSubnet(['198.19.255.0/24'], SUBNET_COUNT - 1)).toBe(0);
    const all = Array.from({ length: SUBNET_COUNT }, (_, i) => `${subnetBase(i)}.0/24`);
    expect(() => freeSubnet(all, 0)).toThrow(/every \/24/);
  });

  it('finds the run prefixes among namespace and link names and ignores the machine\'s own', () => {
    expect(runPrefixesOf(['eth0', 'lo', 'tyn00001-nats-1', 'tyn00001br', 'tyn0000fv12', 'tynx', 'podman0', 'tyn00001'])).toEqual(['tyn00001', 'tyn0000f']);
  });
});
