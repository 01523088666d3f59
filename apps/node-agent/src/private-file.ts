import { readFileSync, statSync } from 'node:fs';

export class PrivateFileError extends Error {
  override readonly name = 'PrivateFileError';
}

/**
 * Reads a secrets file named by the agent's `variable`, refused unless only its owner may read it
 * (mode 0600 or stricter): a file of keys anyone on the node can read is refused at start, not used.
 * Messages never quote the content.
 */
export function readPrivateFile(file: string, variable: string): string {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) throw new PrivateFileError(`${variable} ${file} does not exist`);
  if ((st.mode & 0o077) !== 0) throw new PrivateFileError(`${variable} ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  return readFileSync(file, 'utf8');
}
