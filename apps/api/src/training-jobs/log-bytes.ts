import type { LogChunkView } from './log-reads';

/** A chunk as it appears in a log file: every line's exact bytes followed by `\n`. */
export function linesOfChunkBytes(c: Pick<LogChunkView, 'body' | 'raw'>): Buffer {
  if (!c.raw) return Buffer.from(`${c.body}\n`);
  const lines = c.body.split('\n');
  return Buffer.concat(lines.flatMap((text, i) => [c.raw![i] !== undefined ? Buffer.from(c.raw![i], 'base64') : Buffer.from(text), NL]));
}

const NL = Buffer.from('\n');
