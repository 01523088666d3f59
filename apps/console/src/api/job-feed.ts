import type { JobSummary } from './types';
import { openEventStream } from './event-stream';

export interface JobFeedListener {
  /** A job changed (its summary as of `seq`, the commit that changed it last). */
  onJob?(job: JobSummary, seq: number): void;
  /** The feed (re)connected: changes may have been missed before it, so re-read what is shown. */
  onReady?(): void;
  /** The feed is live or not (for the "live" indicator). */
  onLive?(live: boolean): void;
}

/**
 * One connection to `GET /v1/training-jobs/stream` for the whole console, open while any page
 * listens: the job list and the job page both patch what they show from it, without a reload.
 */
class JobFeed {
  private readonly listeners = new Set<JobFeedListener>();
  private close: (() => void) | undefined;
  private lastSeq: number | undefined;
  live = false;

  subscribe(listener: JobFeedListener): () => void {
    this.listeners.add(listener);
    listener.onLive?.(this.live);
    if (!this.close) this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.close?.();
        this.close = undefined;
        this.setLive(false);
      }
    };
  }

  private open() {
    this.close = openEventStream(
      { url: () => `/v1/training-jobs/stream${this.lastSeq !== undefined ? `?after=${this.lastSeq}` : ''}` },
      {
        onEvent: (e) => {
          if (e.event === 'ready') {
            this.lastSeq = JSON.parse(e.data).seq;
            this.setLive(true);
            for (const l of this.listeners) l.onReady?.();
          } else if (e.event === 'job') {
            const seq = Number(e.id);
            this.lastSeq = seq;
            const job = JSON.parse(e.data) as JobSummary & { seq?: number };
            for (const l of this.listeners) l.onJob?.(job, seq);
          }
        },
        onDown: () => this.setLive(false),
      },
    );
  }

  private setLive(live: boolean) {
    this.live = live;
    for (const l of this.listeners) l.onLive?.(live);
  }
}

export const jobFeed = new JobFeed();
