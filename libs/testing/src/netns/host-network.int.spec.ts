import { type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostNetwork, namespacesUnavailable, type HostNetwork, type NetHost } from './host-network';
import { ip } from './ip-command';
import { ownerFile, sweepLeftovers } from './leftover-sweep';

const why = namespacesUnavailable();
if (why) console.warn(`host-network: skipped, ${why}`);

/** A TCP server in `host` on its address: answers each line with `pong <line>`. */
const echoServer = (host: NetHost, port: number): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const script = `require('net').createServer((s) => s.on('data', (d) => s.end('pong ' + d))).listen(${port}, ${JSON.stringify(host.address)}, () => console.log('listening'))`;
    const child = host.spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
  });

/** From `host`, sends `ping` to addr:port; prints the answer, or exits 2 on a timeout, 3 on an error. */
const ping = (host: NetHost, addr: string, port: number) =>
  host.run(process.execPath, [
    '-e',
    `const s = require('net').connect(${port}, ${JSON.stringify(addr)}, () => s.write('ping')); s.setTimeout(1500, () => process.exit(2)); s.on('error', (e) => { console.log(e.code); process.exit(3) }); s.on('data', (d) => process.stdout.write(d))`,
  ]);

const names = (): string[] => [...ip(['netns', 'list']).split('\n'), ...ip(['-o', 'link', 'show']).split('\n')];

describe.skipIf(why !== undefined)('host network - hosts as network namespaces: their own addresses, a cable to pull, nothing left behind', () => {
  let net: HostNetwork;
  let server: ChildProcess;

  beforeAll(async () => {
    net = await createHostNetwork(['alpha', 'beta']);
    server = await echoServer(net.host('alpha'), 7000);
  });

  afterAll(async () => {
    await net?.destroy();
  });

  it('gives each host its own address in 198.18.0.0/15, reachable from the other host and from the test', async () => {
    const [a, b] = [net.host('alpha'), net.host('beta')];
    expect(a.address).toMatch(/^198\.1[89]\.\d+\.2$/);
    expect(b.address).toMatch(/^198\.1[89]\.\d+\.3$/);
    const inB = await b.run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(inB.stdout).toContain(`${b.address}/24`);
    // Only the host's own address: the root namespace's (eth0's 192.0.2.x) is not there.
    expect((await b.run('ip', ['-4', '-o', 'addr'])).stdout.match(/inet \S+/g)).toEqual(['inet 127.0.0.1/8', `inet ${b.address}/24`]);

    expect(await ping(b, a.address, 7000)).toMatchObject({ code: 0, stdout: 'pong ping' });
    const fromTest = await new Promise<string>((resolve, reject) => {
      const s = connect(7000, a.address, () => s.write('ping'));
      s.on('data', (d) => resolve(String(d)));
      s.on('error', reject);
    });
    expect(fromTest).toBe('pong ping');
    // The host's loopback is its own: the root namespace's PostgreSQL on 127.0.0.1:5432 is not there.
    expect(await ping(b, '127.0.0.1', 5432)).toMatchObject({ code: 3, stdout: 'ECONNREFUSED\n' });
  });

  it('cuts a host off (packets dropped, not refused) and brings it back', async () => {
    const [a, b] = [net.host('alpha'), net.host('beta')];
    await a.cut();
    expect(a.isCut).toBe(true);
    expect((await ping(b, a.address, 7000)).code).toBe(2);
    // The server lives on through the cut, as on a machine whose cable was pulled.
    expect(server.exitCode).toBeNull();
    await a.restore();
    expect(await ping(b, a.address, 7000)).toMatchObject({ code: 0, stdout: 'pong ping' });
  });

  it('sweeps what a dead run left behind and leaves living runs alone', async () => {
    const stale = 'tynfffff';
    ip(['netns', 'add', `${stale}-x`]);
    ip(['link', 'add', `${stale}br`, 'type', 'bridge']);
    const sleeper = (await import('node:child_process')).spawn('ip', ['netns', 'exec', `${stale}-x`, 'sleep', '60']);
    await new Promise((r) => setTimeout(r, 200));
    // An owner pid that cannot be alive.
    writeFileSync(ownerFile(stale), '4194303\n');
    const exited = new Promise((r) => sleeper.once('exit', (_c, signal) => r(signal)));
    expect(sweepLeftovers()).toEqual([stale]);
    expect(await exited).toBe('SIGKILL');
    expect(names().some((n) => n.includes(stale))).toBe(false);
    // This run's own names stay.
    expect(names().filter((n) => n.includes(net.plan.prefix)).length).toBeGreaterThanOrEqual(5);
  });

  it('destroy kills the hosts\' processes and removes every namespace and link of the run', async () => {
    const exited = new Promise((r) => server.once('exit', (_c, signal) => r(signal)));
    await net.destroy();
    expect(await exited).toBe('SIGKILL');
    expect(names().filter((n) => n.includes(net.plan.prefix))).toEqual([]);
    await net.destroy();
  });
});
