import { isUtf8 } from 'node:buffer';

/**
 * One line of output: a string when its bytes are UTF-8 without NUL (the usual case), else the
 * exact bytes, so output that is not text survives the trip to the log store unchanged.
 */
export type LineText = string | Uint8Array;

const NL = 0x0a;
const CR = 0x0d;

/**
 * Turns output chunks into lines. A line ends at `\n` (a `\r` before it is dropped); `end()` returns a
 * final line without a newline. Splitting works on bytes, so a UTF-8 sequence split across chunks
 * stays whole and invalid bytes are kept as they are. A line longer than `maxBytes` is cut (at a
 * character boundary where there is one) so a process that never prints a newline cannot grow the
 * agent's memory without bound; shorter lines are kept whole however long.
 */
export class LineSplitter {
  private partial: Buffer[] = [];
  private partialLength = 0;

  constructor(private readonly maxBytes = 4 * 1024 * 1024) {}

  push(chunk: Buffer | string): LineText[] {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const out: LineText[] = [];
    let start = 0;
    if (this.partialLength > 0) {
      const nl = buf.indexOf(NL);
      if (nl < 0) {
        this.keep(buf, out);
        return out;
      }
      this.partial.push(buf.subarray(0, nl));
      this.emitLong(Buffer.concat(this.partial), out);
      this.partial = [];
      this.partialLength = 0;
      start = nl + 1;
    }
    const lastNl = buf.lastIndexOf(NL);
    if (lastNl >= start) {
      this.complete(buf.subarray(start, lastNl), out);
      start = lastNl + 1;
    }
    if (start < buf.length) this.keep(buf.subarray(start), out);
    return out;
  }

  end(): LineText[] {
    const out: LineText[] = [];
    if (this.partialLength > 0) this.emitLong(Buffer.concat(this.partial), out);
    this.partial = [];
    this.partialLength = 0;
    return out;
  }

  /** `region` holds whole lines separated by `\n` (no trailing one). */
  private complete(region: Buffer, out: LineText[]): void {
    // Fast path: one validity check and one decode for the whole region.
    if (region.length <= this.maxBytes && region.indexOf(0) < 0 && isUtf8(region)) {
      const lines = region.toString('utf8').split('\n');
      if (region.indexOf(CR) >= 0) for (let i = 0; i < lines.length; i++) lines[i] = stripCr(lines[i]);
      for (const l of lines) out.push(l);
      return;
    }
    let from = 0;
    for (;;) {
      const nl = region.indexOf(NL, from);
      this.emitLong(region.subarray(from, nl < 0 ? region.length : nl), out);
      if (nl < 0) return;
      from = nl + 1;
    }
  }

  /** Holds an unfinished line, cutting it when it outgrows `maxBytes`. */
  private keep(bytes: Buffer, out: LineText[]): void {
    this.partial.push(bytes);
    this.partialLength += bytes.length;
    if (this.partialLength <= this.maxBytes) return;
    let rest = Buffer.concat(this.partial);
    while (rest.length > this.maxBytes) {
      const cut = charBoundary(rest, this.maxBytes);
      out.push(toText(rest.subarray(0, cut)));
      rest = rest.subarray(cut);
    }
    this.partial = [Buffer.from(rest)];
    this.partialLength = rest.length;
  }

  private emitLong(line: Buffer, out: LineText[]): void {
    let rest = line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
    while (rest.length > this.maxBytes) {
      const cut = charBoundary(rest, this.maxBytes);
      out.push(toText(rest.subarray(0, cut)));
      rest = rest.subarray(cut);
    }
    out.push(toText(rest));
  }
}

/** A string when the bytes are UTF-8 without NUL, else a copy of the bytes. */
export function toText(bytes: Buffer): LineText {
  return bytes.indexOf(0) < 0 && isUtf8(bytes) ? bytes.toString('utf8') : Uint8Array.prototype.slice.call(bytes);
}

/** The largest cut ≤ `at` that does not split a UTF-8 sequence (`at` itself if none is found nearby). */
function charBoundary(bytes: Buffer, at: number): number {
  for (let i = at; i > at - 4 && i > 0; i--) if ((bytes[i] & 0xc0) !== 0x80) return i;
  return at;
}

const stripCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
