import { appendFileSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogDirFollower, taggedLine, TEED_ELSEWHERE } from './log-dir-follower';
import type { LineText } from './line-splitter';

const text = (l: LineText) => (typeof l === 'string' ? l : Buffer.from(l).toString('latin1'));

describe('log dir follower - files under MA_LOG_DIR shipped into the task log (issue 14)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const follower = (got: string[]) => {
    dir = mkdtempSync(join(tmpdir(), 'ty-logdir-'));
    mkdirSync(join(dir, 'log'));
    return new LogDirFollower({ dir: join(dir, 'log'), offsetsFile: join(dir, 'offsets.json'), pollMs: 10_000, push: (l) => void got.push(text(l)), skip: TEED_ELSEWHERE });
  };

  it('ships appended lines tagged with their file, only once, the last unterminated line at the end', async () => {
    const got: string[] = [];
    const f = follower(got);
    writeFileSync(join(dir, 'log/worker_0.log'), 'step 1\nstep 2\npart');
    mkdirSync(join(dir, 'log/rank_1'));
    writeFileSync(join(dir, 'log/rank_1/out.log'), 'hello\n');
    await f.pass();
    expect(got).toEqual(['[rank_1/out.log] hello', '[worker_0.log] step 1', '[worker_0.log] step 2']);
    appendFileSync(join(dir, 'log/worker_0.log'), 'ial\nstep 3');
    await f.pass();
    await f.finish();
    expect(got.slice(3)).toEqual(['[worker_0.log] partial', '[worker_0.log] step 3']);
  });

  it('a restarted follower goes on from the saved offsets; a truncated file is read again; torchrun\'s teed files are skipped', async () => {
    const got: string[] = [];
    const f = follower(got);
    writeFileSync(join(dir, 'log/w.log'), 'a\nb\n');
    mkdirSync(join(dir, 'log/torchrun'));
    writeFileSync(join(dir, 'log/torchrun/stdout.log'), 'teed\n');
    await f.pass();
    const again: string[] = [];
    const g = new LogDirFollower({ dir: join(dir, 'log'), offsetsFile: join(dir, 'offsets.json'), pollMs: 10_000, push: (l) => void again.push(text(l)) , skip: TEED_ELSEWHERE });
    appendFileSync(join(dir, 'log/w.log'), 'c\n');
    await g.pass();
    expect([got, again]).toEqual([['[w.log] a', '[w.log] b'], ['[w.log] c']]);
    truncateSync(join(dir, 'log/w.log'), 0);
    appendFileSync(join(dir, 'log/w.log'), 'new\n');
    await g.pass();
    expect(again.at(-1)).toBe('[w.log] new');
  });

  it('bytes that are not UTF-8 keep their bytes behind the tag', () => {
    const line = taggedLine('x.log', new Uint8Array([0xff, 0x00]));
    expect(Buffer.from(line as Uint8Array)).toEqual(Buffer.from([...Buffer.from('[x.log] '), 0xff, 0x00]));
  });
});
