import { formatObjectUrl } from '@trainyard/contracts';
import type { ObjectStore } from './object-stores';
import { listLocal, ObjectTransfer } from './object-transfer';
import type { RetryPolicy } from './retry-policy';
import { exceededLimit, OUTPUT_LIMITS } from './staging-limits';
import type { StagedChannel } from './staging-plan';
import type { StagingLine } from './task-staging';

interface Target {
  channel: StagedChannel;
  store: ObjectStore;
}

/** What one sync pass of one output did. */
export interface OutputSyncResult {
  name: string;
  uploaded: number;
  /** Why nothing was uploaded (over the limits, the store unreachable), when so. */
  failure?: string;
}

/**
 * Keeps each object-store output in step with its local dir (issue 14, V11): every `syncMs` while the
 * task runs (the guide's uploader runs every 5 s, L10106), and once more when it has exited
 * (`finish`), so a checkpoint written before a crash is in the store when the job resumes elsewhere.
 * A pass uploads only files whose size or mtime changed since the last one it stored; passes never
 * overlap. Files are never deleted from the store (the guide's sync does not say it deletes; a
 * resumed job's older checkpoints stay).
 */
export class OutputSync {
  private readonly sent = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<OutputSyncResult[]>;
  private readonly warned = new Set<string>();

  constructor(
    private readonly targets: readonly Target[],
    private readonly retry: RetryPolicy,
    private readonly syncMs: number,
    private readonly line: StagingLine,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pass().catch(() => undefined), this.syncMs);
    this.timer.unref();
  }

  /** The final pass after the task exited; resolves with what it uploaded per output. */
  async finish(): Promise<OutputSyncResult[]> {
    this.stop();
    await this.running?.catch(() => undefined);
    const results = await this.pass();
    for (const r of results) {
      const c = this.targets.find((t) => t.channel.name === r.name)!.channel;
      if (r.failure) this.line('stderr', `[staging] output ${r.name} ${formatObjectUrl(c.url)}: not uploaded: ${r.failure}`);
      else this.line('stdout', `[staging] output ${r.name} ${formatObjectUrl(c.url)}: synced (${r.uploaded} file(s) in the last pass)`);
    }
    return results;
  }

  /** Stops the periodic passes (an agent shutting down, a task re-launched). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass over every output, never two at once. */
  pass(): Promise<OutputSyncResult[]> {
    if (this.running) return this.running;
    this.running = this.syncAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async syncAll(): Promise<OutputSyncResult[]> {
    const out: OutputSyncResult[] = [];
    for (const { channel, store } of this.targets) {
      const files = await listLocal(channel.hostDir);
      const over = exceededLimit(files, OUTPUT_LIMITS);
      if (over) {
        if (!this.warned.has(channel.name)) this.line('stderr', `[staging] output ${channel.name}: ${over} (V11); not uploaded`);
        this.warned.add(channel.name);
        out.push({ name: channel.name, uploaded: 0, failure: over });
        continue;
      }
      const changed = files.filter((f) => this.sent.get(`${channel.name}/${f.key}`) !== `${f.size}:${f.mtimeMs}`);
      const t = new ObjectTransfer(store, this.retry);
      try {
        for (const f of changed) {
          await t.upload(channel.hostDir, f.key, channel.url);
          this.sent.set(`${channel.name}/${f.key}`, `${f.size}:${f.mtimeMs}`);
        }
        out.push({ name: channel.name, uploaded: changed.length });
      } catch (err) {
        out.push({ name: channel.name, uploaded: 0, failure: `${(err as Error).name}: ${(err as Error).message}` });
      } finally {
        t.close();
      }
    }
    return out;
  }
}
