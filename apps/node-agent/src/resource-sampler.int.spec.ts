import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { readGroupCounters } from './resource-sampler';

/** The network counters of a task with a network namespace of its own, against a real one (issue 14). */
describe('resource sampler - network namespaces', () => {
  it('resource sampler - a process in a network namespace of its own: its traffic, counted (a real netns and veth)', async () => {
    const ns = `ty-netm-${randomBytes(3).toString('hex')}`;
    const [outer, inner] = [`tyo${ns.slice(-6)}`, `tyi${ns.slice(-6)}`];
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
    try {
      ip('netns', 'add', ns);
    } catch (err) {
      console.warn(`skipped: network namespaces cannot be made here (${(err as Error).message.split('\n')[0]})`);
      return;
    }
    // The task: a UDP echo inside the namespace (it binds before the address exists).
    const echo = "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',9009))\nwhile True:\n  d,a=s.recvfrom(4096); s.sendto(d,a)";
    const child = spawn('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', echo], { detached: true, stdio: 'ignore' });
    try {
      ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
      ip('link', 'set', inner, 'netns', ns);
      ip('addr', 'add', '198.18.77.1/30', 'dev', outer);
      ip('link', 'set', outer, 'up');
      ip('-n', ns, 'addr', 'add', '198.18.77.2/30', 'dev', inner);
      ip('-n', ns, 'link', 'set', inner, 'up');
      // `ip netns exec` execs the echo: the group's leader is the task's process, in the namespace.
      let first = await readGroupCounters(child.pid!);
      for (let i = 0; i < 100 && first.rxBytes === undefined; i++) {
        await new Promise((r) => setTimeout(r, 20));
        first = await readGroupCounters(child.pid!);
      }
      expect(first.rxBytes).toBeDefined();
      const sock = createSocket('udp4');
      let echoed = 0;
      sock.on('message', () => echoed++);
      for (let i = 0; i < 50 && echoed < 5; i++) {
        sock.send(Buffer.alloc(1000), 9009, '198.18.77.2');
        await new Promise((r) => setTimeout(r, 40));
      }
      sock.close();
      expect(echoed).toBeGreaterThanOrEqual(5);
      const later = await readGroupCounters(child.pid!);
      // At least five 1000-byte datagrams in and five echoes out (plus headers).
      expect(later.rxBytes! - first.rxBytes!).toBeGreaterThanOrEqual(5_000);
      expect(later.txBytes! - first.txBytes!).toBeGreaterThanOrEqual(5_000);
    } finally {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      try { ip('link', 'del', outer); } catch { /* went with the namespace */ }
      ip('netns', 'del', ns);
    }
  });
});
