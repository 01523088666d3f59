import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostsFile, withHostsBlock } from './hosts-file';

const base = '127.0.0.1 localhost\n::1 localhost ip6-localhost\n';
const entry = (address: string, ...names: string[]) => ({ address, names });

describe('hosts file - managed blocks', () => {
  it('hosts file - a block is added at the end, replaced in place and removed, other lines untouched', () => {
    const one = withHostsBlock(base, 'j1/worker-0/1', [entry('10.0.0.5', 'a.j1', 'a')]);
    expect(one).toBe(`${base}# trainyard j1/worker-0/1 begin\n10.0.0.5 a.j1 a\n# trainyard j1/worker-0/1 end\n`);
    const two = withHostsBlock(one, 'j2/worker-0/1', [entry('10.0.0.6', 'b')]);
    const replaced = withHostsBlock(two, 'j1/worker-0/1', [entry('10.0.0.7', 'c')]);
    expect(replaced.indexOf('10.0.0.7 c')).toBeLessThan(replaced.indexOf('10.0.0.6 b'));
    expect(withHostsBlock(withHostsBlock(replaced, 'j1/worker-0/1', []), 'j2/worker-0/1', [])).toBe(base);
  });

  it('hosts file - adding then removing any set of blocks, in any order, gives back the original text', () => {
    const key = fc.stringMatching(/^[a-z0-9/-]{1,12}$/);
    const entries = fc.array(fc.record({ address: fc.ipV4(), names: fc.array(fc.stringMatching(/^[a-z0-9.-]{1,20}$/), { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, entries), { selector: (x) => x[0], maxLength: 5 }), fc.boolean(), (blocks, reverse) => {
        let text = base;
        for (const [k, e] of blocks) text = withHostsBlock(text, k, e);
        for (const [k, e] of blocks) expect(text).toContain(e.map((x) => `${x.address} ${x.names.join(' ')}`).join('\n'));
        for (const [k] of reverse ? [...blocks].reverse() : blocks) text = withHostsBlock(text, k, []);
        expect(text).toBe(base);
      }),
    );
  });

  it('hosts file - concurrent edits of one file by several writers lose no block', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hosts-'));
    const file = join(dir, 'hosts');
    writeFileSync(file, base);
    try {
      const releases = await Promise.all(Array.from({ length: 8 }, (_, i) => new HostsFile(file).add(`j${i}`, [entry(`10.0.0.${i}`, `n${i}`)])));
      const text = readFileSync(file, 'utf8');
      for (let i = 0; i < 8; i++) expect(text).toContain(`10.0.0.${i} n${i}\n`);
      await Promise.all(releases.map((r) => r()));
      expect(readFileSync(file, 'utf8')).toBe(base);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
