import { open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { LineSplitter, type LineText } from './line-splitter';

/**
 * The files a task writes under `MA_LOG_DIR` (issue 14): msrun writes each worker's output there
 * (`--log_dir`, worker_<i>.log), and the guide counts that dir's files as the job's logs (L6376-6381,
 * L10227-10230). The follower reads what is appended to every regular file below the dir and ships
 * each line into the task's log, tagged with the file it came from: `[worker_1.log] epoch 1 …`. So
 * they are read, followed, searched and downloaded like stdout (`yard logs`, `-f`, `--grep`,
 * `--download`), with no second log pipeline. Offsets are kept in a file beside the dir, so an agent
 * that restarts and re-adopts the task goes on where it stopped (lines shipped after the last saved
 * offset come twice; a line half-written when the agent died is cut in two).
 */
export interface LogDirFollowerOptions {
  dir: string;
  /** Where the read offsets are kept (outside `dir`, so it is not followed itself). */
  offsetsFile: string;
  pollMs: number;
  /** Receives each tagged line; its promise is the back-pressure. */
  push: (text: LineText) => void | Promise<void>;
  /** Files not to follow (their lines reach the log another way). */
  skip?: (file: string) => boolean;
}

/**
 * torchrun's per-rank files (`${MA_LOG_DIR}/torchrun/…`, launchers/torchrun-launcher.ts): it tees
 * every rank to the console as well (`--tee=1`), so they are in the log already.
 */
export const TEED_ELSEWHERE = (file: string) => file.startsWith('torchrun/');

/** The tag that opens each shipped line: the file's path below `MA_LOG_DIR`. */
export const fileLineTag = (file: string) => `[${file}] `;

/** Pure: a tagged line from a file line (bytes stay bytes, so nothing is lost in the tag). */
export function taggedLine(file: string, line: LineText): LineText {
  const tag = fileLineTag(file);
  return typeof line === 'string' ? tag + line : Buffer.concat([Buffer.from(tag), line]);
}

export class LogDirFollower {
  private offsets: Record<string, number> = {};
  private readonly splitters = new Map<string, LineSplitter>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private loaded = false;

  constructor(private readonly o: LogDirFollowerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pass().catch(() => undefined), this.o.pollMs);
    this.timer.unref();
  }

  /** After the task exited: one last pass, then every file's last line without a newline. */
  async finish(): Promise<void> {
    this.stop();
    await this.running?.catch(() => undefined);
    await this.pass();
    for (const [file, s] of this.splitters) for (const rest of s.end()) await this.o.push(taggedLine(file, rest));
    this.splitters.clear();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One read of every file, never two at once. */
  pass(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.readAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async readAll(): Promise<void> {
    if (!this.loaded) {
      this.offsets = JSON.parse(await readFile(this.o.offsetsFile, 'utf8').catch(() => '{}'));
      this.loaded = true;
    }
    let moved = false;
    for (const file of await listFiles(this.o.dir)) {
      if (this.o.skip?.(file)) continue;
      const path = posix.join(this.o.dir, file);
      const size = (await stat(path).catch(() => undefined))?.size ?? 0;
      let at = this.offsets[file] ?? 0;
      // Truncated or replaced (a log rotated in place): read it again from the start.
      if (size < at) at = 0;
      if (size === at) continue;
      const fh = await open(path, 'r');
      try {
        const splitter = this.splitters.get(file) ?? new LineSplitter();
        this.splitters.set(file, splitter);
        const buf = Buffer.alloc(64 * 1024);
        while (at < size) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - at), at);
          if (bytesRead === 0) break;
          at += bytesRead;
          for (const line of splitter.push(Buffer.from(buf.subarray(0, bytesRead)))) await this.o.push(taggedLine(file, line));
        }
      } finally {
        await fh.close();
      }
      this.offsets[file] = at;
      moved = true;
    }
    if (moved) await writeFile(this.o.offsetsFile, JSON.stringify(this.offsets));
  }
}

/** Regular files below `dir`, relative paths, sorted (symlinks not followed: a task cannot point it elsewhere). */
async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const entries = await readdir(posix.join(dir, rel), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const key = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, key)));
    else if (e.isFile()) out.push(key);
  }
  return out;
}
