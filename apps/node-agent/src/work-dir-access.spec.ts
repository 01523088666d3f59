import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentConfigError } from './agent-config';
import { makeTaskHome, prepareWorkDir } from './work-dir-access';

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('work dir access - tasks reach their own home and nothing else', () => {
  let base: string | undefined;
  afterEach(async () => {
    if (base) await rm(base, { recursive: true, force: true });
    base = undefined;
  });

  it('lays out the work dir: passable but not listable above the homes', async () => {
    base = await mkdtemp(join(tmpdir(), 'ty-wd-'));
    await chmod(base, 0o711);
    const workDir = join(base, 'agents', 'n1');
    await prepareWorkDir(workDir, { mode: 'job', dedicatedPool: false }, 0);
    expect(await mode(workDir)).toBe(0o711);
    expect(await mode(join(workDir, 'jobs'))).toBe(0o711);
    expect(await mode(join(workDir, 'launches'))).toBe(0o711);
    const home = join(workDir, 'jobs', 'j1', 'worker-0', '1');
    await makeTaskHome(home, 1000);
    expect(await mode(home)).toBe(0o700);
    expect((await stat(home)).uid).toBe(process.getuid?.() === 0 ? 1000 : process.getuid?.());
    expect(await mode(join(workDir, 'jobs', 'j1'))).toBe(0o711);
  });

  it('a work dir others cannot reach fails at start naming the dir to open', async () => {
    base = await mkdtemp(join(tmpdir(), 'ty-wd-')); // mkdtemp: 0700
    const err = await prepareWorkDir(join(base, 'n1'), { mode: 'job', dedicatedPool: false }, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentConfigError);
    expect((err as Error).message).toContain(`${base} is mode 0700, which others cannot pass; chmod o+x ${base}`);
    // Running tasks as itself, the agent needs no passage for others.
    await expect(prepareWorkDir(join(base, 'n2'), { mode: 'agent', dedicatedPool: false }, 0)).resolves.toBeUndefined();
  });

  it('an agent that is not root cannot switch users: it refuses to start and names the way out', async () => {
    const err = await prepareWorkDir('/nonexistent/ty', { mode: 'job', dedicatedPool: false }, 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentConfigError);
    expect((err as Error).message).toMatch(/must be root to switch users; it runs as uid 1000\. Run it as root, or set TY_TASK_USER=agent/);
  });
});
