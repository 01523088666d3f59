import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** How running a diagnostic tool went. */
export type ToolRun =
  | { kind: 'missing'; searched: string }
  | { kind: 'timeout'; ms: number }
  | { kind: 'exited'; code: number; stdout: string; stderr: string };

/** The first executable `name` on `path`, or undefined. */
export async function findOnPath(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const file = join(dir, name);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  return undefined;
}

/**
 * Runs `name args` found on `path` (a tool like `nvidia-smi`), killed after `timeoutMs`: a driver in
 * trouble often hangs its tool rather than failing it.
 */
export async function runTool(name: string, args: string[], path: string, timeoutMs: number): Promise<ToolRun> {
  const file = await findOnPath(name, path);
  if (!file) return { kind: 'missing', searched: path };
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', env: { PATH: path, LANG: 'C' }, maxBuffer: 4 * 2 ** 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
      if (e?.killed) return resolve({ kind: 'timeout', ms: timeoutMs });
      const code = e ? (typeof e.code === 'number' ? e.code : 127) : 0;
      resolve({ kind: 'exited', code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** First non-empty line of a tool's complaint, for a one-line detail. */
export const firstLine = (...texts: string[]) =>
  texts.flatMap((t) => t.split('\n')).map((l) => l.trim()).find(Boolean) ?? '(no output)';
