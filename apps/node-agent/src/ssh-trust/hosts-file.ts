import { open, readFile, rm, writeFile } from 'node:fs/promises';
import type { HostsEntry } from './ssh-trust-plan';

const begin = (key: string) => `# trainyard ${key} begin`;
const end = (key: string) => `# trainyard ${key} end`;

/**
 * `text` with the block of `key` set to `entries` in its place (or removed when `entries` is empty).
 * Other lines, other keys' blocks and the order of the file stay as they are; a new block goes at the end.
 *
 * @example
 * withHostsBlock('127.0.0.1 localhost\n', 'j1/worker-0/1', [{ address: '10.0.0.6', names: ['a.b', 'a'] }])
 * // '127.0.0.1 localhost\n# trainyard j1/worker-0/1 begin\n10.0.0.6 a.b a\n# trainyard j1/worker-0/1 end\n'
 */
export function withHostsBlock(text: string, key: string, entries: readonly HostsEntry[]): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const from = lines.indexOf(begin(key));
  const to = from < 0 ? -1 : lines.indexOf(end(key), from);
  const block = entries.length ? [begin(key), ...entries.map((e) => `${e.address} ${e.names.join(' ')}`), end(key)] : [];
  const out = from < 0 || to < 0 ? [...lines, ...block] : [...lines.slice(0, from), ...block, ...lines.slice(to + 1)];
  return out.length ? `${out.join('\n')}\n` : '';
}

const LOCK_STALE_MS = 10_000;
let queue: Promise<unknown> = Promise.resolve();

/**
 * The node's hosts file (`TY_HOSTS_FILE`, default `/etc/hosts` for an agent running as root): while a
 * task with SSH trust runs, its job's instance names resolve there for every process of the node, as
 * the guide's cluster DNS makes them resolve in its containers (L689, L2553-2572). Agents of one
 * machine share the file: edits are serialised in the process and across processes by a lock file,
 * and the file is rewritten in place (it is often a bind mount, which a rename would not replace).
 */
export class HostsFile {
  constructor(private readonly file: string) {}

  /** Sets the task's block; the returned function removes it. */
  async add(key: string, entries: readonly HostsEntry[]): Promise<() => Promise<void>> {
    await this.edit(key, entries);
    return () => this.edit(key, []);
  }

  private edit(key: string, entries: readonly HostsEntry[]): Promise<void> {
    const run = queue.then(() => this.locked(async () => {
      const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));
      const next = withHostsBlock(text, key, entries);
      if (next !== text) await writeFile(this.file, next);
    }));
    queue = run.catch(() => undefined);
    return run;
  }

  private async locked(work: () => Promise<void>): Promise<void> {
    const lock = `${this.file}.trainyard-lock`;
    for (let waited = 0; ; waited += 20) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // A holder that died leaves its lock behind: after a while it is taken over.
        if (waited >= LOCK_STALE_MS) {
          await rm(lock, { force: true });
          waited = 0;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      await work();
    } finally {
      await rm(lock, { force: true });
    }
  }
}
