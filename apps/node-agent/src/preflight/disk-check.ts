import { mkdir, statfs } from 'node:fs/promises';
import type { PrecheckItemResult } from '@trainyard/contracts';
import { abnormal, failedToCheck, passed, type PrecheckItem, type PreflightContext } from './precheck-item';

/** `12.3 GiB`: one decimal, binary units (what `df -h` prints). */
export const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** Pure judgement of one disk item: free space must be strictly greater than the threshold ("大于"). */
export function judgeFreeSpace(keyword: string, dir: string, freeBytes: number, minBytes: number): PrecheckItemResult {
  const found = `${dir} has ${gib(freeBytes)} free`;
  return freeBytes > minBytes ? passed(keyword, `${found} (> ${gib(minBytes)})`) : abnormal(keyword, `${found}, needs > ${gib(minBytes)}`);
}

/** Free bytes for an unprivileged writer (`f_bavail`), as `df` reports them. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

function diskItem(keyword: string, dirOf: (ctx: PreflightContext) => string, minOf: (ctx: PreflightContext) => number, create = false): PrecheckItem {
  return {
    keyword,
    applies: () => true, // 执行条件 无 (L7618, L7627, L7635)
    async run(ctx) {
      const dir = dirOf(ctx);
      try {
        if (create) await mkdir(dir, { recursive: true });
        return judgeFreeSpace(keyword, dir, await freeBytes(dir), minOf(ctx));
      } catch (err) {
        return failedToCheck(keyword, `cannot measure ${dir}: ${(err as Error).message}`);
      }
    },
  };
}

/** `disk-size root`: the filesystem holding the task homes (L7612-7618). */
export const rootDiskCheck = diskItem('disk-size root', (c) => c.rootDir, (c) => c.settings.rootMinFreeBytes, true);
/** `disk-size shm`: shared memory, which PyTorch data loaders live on (L7620-7626). */
export const shmDiskCheck = diskItem('disk-size shm', (c) => c.settings.shmDir, (c) => c.settings.shmMinFreeBytes);
/** `disk-size cache`: the node's scratch disk, `/cache` in containers (L7629-7635). */
export const cacheDiskCheck = diskItem('disk-size cache', (c) => c.cacheDir, (c) => c.settings.cacheMinFreeBytes, true);
