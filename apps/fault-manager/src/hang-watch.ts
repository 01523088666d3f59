import { decodeResourceSample, Subjects, type HangEvidence } from '@trainyard/contracts';
import { addObservation, detectHang, hangWindowMs, jobHangMinutes, type ExistingTrainingJob, type HangDetectorOptions, type TaskObservation } from '@trainyard/domain';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

/**
 * Cumulative per-task I/O counters a sampler may send (bytes, like `/proc/<pid>/io` rchar + wchar
 * summed over the task's processes). The guide's container metrics carry only disk rates
 * (`ma_container_disk_read_kilobytes`, `…_write_kilobytes`), used when these are absent.
 */
export const TASK_IO_COUNTERS = ['task_io_read_bytes', 'task_io_write_bytes'] as const;

/**
 * Feeds the pure hang detector (libs/domain `detectHang`): resource samples (`ty.metrics.<node>`,
 * plain NATS) and log activity (every `ty.log.<job>.<task>.<node>` message, seen as a core subscriber of the
 * TY_LOGS subjects) become one series per task attempt. A series starts over when its task starts
 * again (a restart), so a restarted task gets a whole window before it can be suspected again.
 * Times are local receive times, like heartbeats: clock skew between machines fakes nothing.
 */
export class HangWatch {
  private readonly series = new Map<string, TaskObservation[]>();
  private readonly logMessages = new Map<string, number>();
  /** Each job's own window, once seen (its `MA_HANG_DETECT_TIME`): its series are kept that long. */
  private readonly windows = new Map<string, number>();
  private subs: Subscription[] = [];

  /**
   * `options.windowMs` is the cluster's window; `timeScale` scales a job's own `MA_HANG_DETECT_TIME`
   * the same way (tests run the guide's minutes as milliseconds).
   */
  constructor(
    private readonly nc: NatsConnection,
    private readonly options: HangDetectorOptions,
    private readonly clock: () => number = Date.now,
    private readonly timeScale = 1,
  ) {}

  start(): void {
    this.subs.push(
      this.nc.subscribe(Subjects.metricsAll, { callback: (err, msg) => void (err || this.onSample(msg.data)) }),
      this.nc.subscribe(Subjects.logsAll, {
        callback: (err, msg) => {
          if (err) return;
          // ty.log.<job>.<task>.<node>: any message is output (ids are subject tokens, no dots).
          const [, , jobId, task] = msg.subject.split('.');
          const key = `${jobId}/${task}`;
          this.logMessages.set(key, (this.logMessages.get(key) ?? 0) + 1);
        },
      }),
    );
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
  }

  /** A task (re)started: its series begins again. */
  reset(jobId: string, task: string): void {
    for (const key of this.series.keys()) if (key.startsWith(`${jobId}/${task}/`)) this.series.delete(key);
  }

  /** Evidence that `job` hangs now, or undefined. */
  evidence(jobId: string, job: ExistingTrainingJob): HangEvidence | undefined {
    const minutes = jobHangMinutes(job.spec.algorithm.environments);
    const windowMs = minutes === undefined ? this.options.windowMs : hangWindowMs(minutes, this.timeScale);
    this.windows.set(jobId, windowMs);
    const tasks = job.tasks.map((t) => ({ task: t.name, series: this.series.get(`${jobId}/${t.name}/${t.attempt}`) ?? [] }));
    return detectHang(tasks, this.clock(), { ...this.options, windowMs });
  }

  forget(jobId: string): void {
    for (const key of this.series.keys()) if (key.startsWith(`${jobId}/`)) this.series.delete(key);
    for (const key of this.logMessages.keys()) if (key.startsWith(`${jobId}/`)) this.logMessages.delete(key);
    this.windows.delete(jobId);
  }

  private onSample(data: Uint8Array): void {
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder().decode(data));
    } catch {
      return;
    }
    const sample = decodeResourceSample(raw);
    if (!sample) return;
    const at = this.clock();
    for (const t of sample.tasks) {
      const v = t.values;
      const counters = TASK_IO_COUNTERS.map((id) => v[id]);
      const rates = [v.ma_container_disk_read_kilobytes, v.ma_container_disk_write_kilobytes];
      const obs: TaskObservation = {
        at,
        logLines: this.logMessages.get(`${t.jobId}/${t.task}`) ?? 0,
        ...(counters.every((c) => c !== undefined) ? { ioBytes: counters.reduce((a, b) => a! + b!, 0)! } : {}),
        ...(rates.every((r) => r !== undefined) ? { ioRate: rates[0]! + rates[1]! } : {}),
        ...(v.ma_container_gpu_util !== undefined || v.ma_container_npu_ai_core_util !== undefined
          ? { accelUtil: v.ma_container_gpu_util ?? v.ma_container_npu_ai_core_util! }
          : {}),
        ...(v.ma_container_cpu_used_core !== undefined ? { cpuCores: v.ma_container_cpu_used_core } : {}),
      };
      const key = `${t.jobId}/${t.task}/${t.attempt}`;
      // Until the job's own window is known, keep at least the cluster's.
      const keep = Math.max(this.windows.get(t.jobId) ?? 0, this.options.windowMs);
      this.series.set(key, addObservation(this.series.get(key) ?? [], obs, keep));
    }
  }
}
