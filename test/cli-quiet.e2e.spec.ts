import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * `npx yard` as a user types it: the machine's npm (on whatever Node the machine has, 20 here) in the
 * checkout. npm used to print its five-line EBADENGINE warning first, because the root package said
 * `engines.node >= 22` — a statement about the Node npm itself runs on, not the one yard runs on (the
 * `node` devDependency). npm checks it when `npx` installs the checkout into its npx cache to run the
 * project's own bin: on the first `npx yard` of every checkout (a fresh clone, CI) and after changes.
 * Scripts that parse stderr broke on it. The test runs with an empty npm cache, i.e. that first run.
 */
describe('yard CLI - quiet', () => {
  it('npx yard prints its answer and nothing on stderr', async () => {
    // The user's PATH, without the node_modules/.bin an npm script or vitest put in front of it.
    // Nor the npm_* variables the npx that started vitest exported (they change what a child npm says).
    const PATH = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')).join(delimiter);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const cache = await mkdtemp(join(tmpdir(), 'yard-npx-cache-'));
    try {
      const { stdout, stderr } = await run('npx', ['yard', '--help'], { cwd: process.cwd(), env: { ...env, PATH, npm_config_cache: cache }, timeout: 60_000 });
      expect(stdout).toMatch(/^Usage: yard/);
      expect(stderr).toBe('');
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  }, 90_000);
});
