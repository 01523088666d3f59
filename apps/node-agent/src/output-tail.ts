import type { OutputStream } from './task-runtime';

/**
 * The last lines a task printed (both streams, in the order read), kept so its exit can be explained
 * from its launcher's own report (torchrun's failure summary, the shell's "not found"). Bounded in
 * lines and in characters per line: a task printing megabytes costs it nothing more.
 */
export class OutputTail {
  private readonly lines: string[] = [];

  constructor(
    private readonly maxLines = 200,
    private readonly maxChars = 2000,
  ) {}

  push(_stream: OutputStream, text: string | Uint8Array): void {
    const line = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
    this.lines.push(line.length > this.maxChars ? line.slice(0, this.maxChars) : line);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  /** The kept lines, oldest first. */
  get(): readonly string[] {
    return this.lines;
  }
}
