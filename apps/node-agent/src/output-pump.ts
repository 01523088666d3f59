import { LineSplitter } from './line-splitter';
import type { LineSink, OutputStream } from './task-runtime';

/** A chunk of one output stream, in the order the task wrote it (as far as the source knows). */
export interface OutputFrame {
  stream: OutputStream;
  bytes: Buffer;
}

/**
 * Splits frames into lines per stream and hands them to `onLine` in frame order, waiting whenever the
 * sink asks to (back-pressure: the source is not read meanwhile). At the end the unfinished last lines
 * go out, stdout's first. The result depends only on the frames, not on how they were chunked, so a
 * replay of the same source yields the same lines in the same order.
 */
export async function pumpLines(frames: AsyncIterable<OutputFrame>, onLine: LineSink): Promise<void> {
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const deliver = async (stream: OutputStream, lines: ReturnType<LineSplitter['end']>) => {
    for (const line of lines) {
      const wait = onLine(stream, line);
      if (wait) await wait;
    }
  };
  for await (const f of frames) await deliver(f.stream, splitters[f.stream].push(f.bytes));
  await deliver('stdout', splitters.stdout.end());
  await deliver('stderr', splitters.stderr.end());
}

/**
 * Frames of a Docker Engine API attach/logs stream without a TTY: each frame is an 8-byte header
 * (stream type: 1 stdout, 2 stderr; 3 bytes padding; big-endian length) and its payload.
 */
export async function* dockerFrames(source: AsyncIterable<Buffer | string>): AsyncGenerator<OutputFrame> {
  let buf = Buffer.alloc(0);
  for await (const chunk of source) {
    buf = buf.length ? Buffer.concat([buf, Buffer.from(chunk)]) : Buffer.from(chunk);
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const type = buf[0];
      const bytes = buf.subarray(8, 8 + size);
      buf = buf.subarray(8 + size);
      if (type === 1 || type === 2) yield { stream: type === 1 ? 'stdout' : 'stderr', bytes };
    }
  }
}
