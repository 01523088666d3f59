import { chown, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LaunchFile } from './launch-plan';

/**
 * Writes a plan's files before the task starts. Each is written to a temporary name and renamed, so
 * a reader (a script polling the rank table, L1058-1060) sees the old content or the new, never half.
 * `owner`: the uid the task runs as, which must be able to read them and rewrite them on a re-run.
 */
export async function writeLaunchFiles(files: readonly LaunchFile[], owner?: number): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    const tmp = `${file.path}.tmp`;
    await writeFile(tmp, file.content);
    if (owner !== undefined) await chown(tmp, owner, owner);
    await rename(tmp, file.path);
    if (owner !== undefined) await chown(dirname(file.path), owner, owner);
  }
}
