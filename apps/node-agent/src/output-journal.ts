import { fstatSync, watch, type FSWatcher } from 'node:fs';
import { appendFile, type FileHandle, open, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { OutputFrame } from './output-pump';
import type { OutputStream } from './task-runtime';

/**
 * The order in which the agent read a task's two output files. Log lines are numbered across stdout
 * and stderr, so a replay after an agent restart must interleave the two files exactly as the first
 * reading did, or the same number would name two different lines. Before the bytes of a read reach
 * the log shipper, one record `o <end offset>` / `e <end offset>` is appended (one `write`; a record
 * torn by a crash was never shipped, so it is ignored). Replaying the records gives the same frames in
 * the same order; reading beyond them continues where they end.
 */
export interface JournalRecord {
  stream: OutputStream;
  /** Byte offset in that stream's file after this read. */
  end: number;
}

export function parseJournal(text: string): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const line of text.split('\n').slice(0, -1)) {
    const m = /^([oe]) (\d+)$/.exec(line);
    if (!m) break;
    records.push({ stream: m[1] === 'o' ? 'stdout' : 'stderr', end: Number(m[2]) });
  }
  return records;
}

export const journalLine = (r: JournalRecord) => `${r.stream === 'stdout' ? 'o' : 'e'} ${r.end}\n`;

export interface TailSource {
  files: Record<OutputStream, string>;
  journal: string;
  /** Largest read per frame. */
  chunkBytes: number;
  pollMs: number;
  /**
   * Asked when both files are read to their end: true once nothing more will be written (the exit is
   * known), so the frames end. Asked before the files are looked at, so a write that raced the exit
   * is still read.
   */
  finished: () => Promise<boolean>;
  /** Set to stop reading at once (the agent is going away). */
  cancelled?: () => boolean;
}

/**
 * Journal replay, then the files followed from where the journal ends, until `finished`. While
 * following, inotify events (`fs.watch` on the run dir) say which file grew first, with its size at
 * that moment, and reads follow that order: the two files interleave as the task wrote them, as
 * closely as the agent keeps up (a poll every `pollMs` catches anything the events missed).
 */
export async function* tailFrames(src: TailSource): AsyncGenerator<OutputFrame> {
  const offsets: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  const handles = {
    stdout: await open(src.files.stdout, 'r'),
    stderr: await open(src.files.stderr, 'r'),
  };
  const read = async (stream: OutputStream, end: number): Promise<Buffer> => {
    const buf = Buffer.alloc(end - offsets[stream]);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handles[stream].read(buf, got, buf.length - got, offsets[stream] + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    offsets[stream] += got;
    return buf.subarray(0, got);
  };
  const grown: { stream: OutputStream; size: number }[] = [];
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    for (const r of parseJournal(await readFile(src.journal, 'utf8').catch(() => ''))) {
      const bytes = await read(r.stream, r.end);
      if (bytes.length) yield { stream: r.stream, bytes };
    }
    watcher = watchGrowth(src.files, handles, (g) => {
      grown.push(g);
      wake?.();
    });
    for (;;) {
      if (src.cancelled?.()) return;
      const done = await src.finished();
      // Growth in event order first, then whatever is left of either file (up to one chunk each).
      const steps = [...grown.splice(0), { stream: 'stdout' as const, size: Infinity }, { stream: 'stderr' as const, size: Infinity }];
      let progressed = false;
      for (const step of steps) {
        const size = Math.min(step.size, (await handles[step.stream].stat()).size);
        if (size <= offsets[step.stream]) continue;
        const end = Math.min(size, offsets[step.stream] + src.chunkBytes);
        // Recorded before the bytes can become shipped lines.
        await appendFile(src.journal, journalLine({ stream: step.stream, end }));
        const bytes = await read(step.stream, end);
        progressed = true;
        yield { stream: step.stream, bytes };
      }
      if (!progressed) {
        if (done) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, src.pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  } finally {
    watcher?.close();
    await handles.stdout.close().catch(() => undefined);
    await handles.stderr.close().catch(() => undefined);
  }
}

/** Watches the dir of the two files; each change event reports which one grew and its size then. */
function watchGrowth(
  files: Record<OutputStream, string>,
  handles: Record<OutputStream, FileHandle>,
  onGrowth: (g: { stream: OutputStream; size: number }) => void,
): FSWatcher | undefined {
  const byName = new Map<string, OutputStream>([
    [basename(files.stdout), 'stdout'],
    [basename(files.stderr), 'stderr'],
  ]);
  try {
    const w = watch(dirname(files.stdout), { persistent: false }, (_event, name) => {
      const stream = name ? byName.get(String(name)) : undefined;
      if (!stream) return;
      try {
        onGrowth({ stream, size: fstatSync(handles[stream].fd).size });
      } catch {
        // Closed meanwhile: the follower is done.
      }
    });
    w.on('error', () => undefined);
    // What was written before the watch began comes first, stdout's before stderr's (a guess: no
    // event orders it).
    for (const stream of ['stdout', 'stderr'] as const) onGrowth({ stream, size: fstatSync(handles[stream].fd).size });
    return w;
  } catch {
    return undefined; // No inotify: polling alone.
  }
}
