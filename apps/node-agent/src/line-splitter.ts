import { StringDecoder } from 'node:string_decoder';

/**
 * Turns output chunks into lines. A line ends at `\n` (a `\r` before it is dropped); `end()` returns a
 * final line without a newline. A line longer than `maxLength` characters is cut into pieces so a
 * process that never prints a newline cannot grow the agent's memory without bound. UTF-8 sequences
 * split across chunks are decoded whole.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly maxLength = 16 * 1024) {}

  push(chunk: Buffer | string): string[] {
    return this.split(this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk)), false);
  }

  end(): string[] {
    return this.split(this.partial + this.decoder.end(), true);
  }

  private split(text: string, final: boolean): string[] {
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const out = lines.flatMap((l) => this.cut(stripCr(l)));
    if (final && this.partial !== '') out.push(...this.cut(stripCr(this.partial)));
    if (final) this.partial = '';
    else if (this.partial.length >= this.maxLength) {
      const pieces = this.cut(this.partial);
      this.partial = pieces.pop() ?? '';
      out.push(...pieces);
    }
    return out;
  }

  private cut(line: string): string[] {
    if (line.length <= this.maxLength) return [line];
    const pieces: string[] = [];
    for (let i = 0; i < line.length; i += this.maxLength) pieces.push(line.slice(i, i + this.maxLength));
    return pieces;
  }
}

const stripCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
