import { describe, expect, it } from 'vitest';
import { addObservation, detectHang, DEFAULT_HANG_OPTIONS, hangWindowMs, jobHangMinutes, type TaskObservation } from './hang-detector';
import { crossJobVerdict, emptyFaultCase, recordNodeFailure } from './node-fault-case';
import { nodeLiveness } from './node-liveness';

const o = { ...DEFAULT_HANG_OPTIONS, windowMs: 10_000 };
/** Samples every second from t=0 to t=`until`, each from `f(t)`. */
const series = (until: number, f: (t: number) => Partial<TaskObservation>): TaskObservation[] => {
  let s: TaskObservation[] = [];
  for (let t = 0; t <= until; t += 1000) s = addObservation(s, { at: t, logLines: 10, ...f(t) }, o.windowMs);
  return s;
};

describe('hang detector - the guide\'s two rule sets (ch12 §3.1)', () => {
  it('single instance: I/O, log and utilisation unchanged for the whole window → hung', () => {
    const s = series(12_000, () => ({ ioBytes: 500, accelUtil: 30 }));
    expect(detectHang([{ task: 'worker-0', series: s }], 12_000, o)).toMatchObject({ rule: 'single-instance', tasks: [{ task: 'worker-0', ioUnchanged: true, logSilent: true, utilVariance: 0 }] });
  });

  it('not before the window has passed, and not while I/O, logs or utilisation move', () => {
    expect(detectHang([{ task: 'w', series: series(8_000, () => ({ ioBytes: 1 })) }], 8_000, o)).toBeUndefined();
    expect(detectHang([{ task: 'w', series: series(12_000, (t) => ({ ioBytes: t })) }], 12_000, o)).toBeUndefined();
    expect(detectHang([{ task: 'w', series: series(12_000, (t) => ({ ioBytes: 1, logLines: t })) }], 12_000, o)).toBeUndefined();
    expect(detectHang([{ task: 'w', series: series(12_000, (t) => ({ ioBytes: 1, accelUtil: t % 2000 ? 90 : 10 })) }], 12_000, o)).toBeUndefined();
  });

  it('unknown I/O never proves a hang by itself; the all-instance rule needs every task below one core', () => {
    const busyIo = series(12_000, (t) => ({ ioBytes: t, cpuCores: 0.1, accelUtil: 50 }));
    const idle = series(12_000, () => ({ cpuCores: 0.05 }));
    expect(detectHang([{ task: 'w0', series: idle }], 12_000, o)).toMatchObject({ rule: 'all-instances' });
    expect(detectHang([{ task: 'w0', series: idle }, { task: 'w1', series: series(12_000, () => ({ cpuCores: 3 })) }], 12_000, o)).toBeUndefined();
    expect(detectHang([{ task: 'w0', series: busyIo }, { task: 'w1', series: idle }], 12_000, o)).toMatchObject({ rule: 'all-instances' });
    expect(detectHang([{ task: 'w0', series: series(12_000, () => ({})) }], 12_000, o)).toBeUndefined();
  });

  it('the window is MA_HANG_DETECT_TIME minutes (10–720, default 30), scaled', () => {
    expect(hangWindowMs(undefined)).toBe(1_800_000);
    expect(hangWindowMs(5)).toBe(600_000);
    expect(hangWindowMs(1000)).toBe(43_200_000);
    expect(hangWindowMs(30, 0.001)).toBe(1800);
  });

  it('a job\'s own MA_HANG_DETECT_TIME (L12522-12534, settable per job L7715-7717) is its window; none means the default', () => {
    expect(jobHangMinutes({ MA_HANG_DETECT_TIME: '60' })).toBe(60);
    expect(jobHangMinutes({ MA_HANG_DETECT_TIME: ' 15 ' })).toBe(15);
    expect(jobHangMinutes({ OTHER: '1' })).toBeUndefined();
    expect(jobHangMinutes(undefined)).toBeUndefined();
    expect(jobHangMinutes({ MA_HANG_DETECT_TIME: 'soon' })).toBeUndefined();
    expect(hangWindowMs(jobHangMinutes({ MA_HANG_DETECT_TIME: '60' }), 0.001)).toBe(3600);
  });
});

describe('node fault case - tasks of different jobs failing on one node', () => {
  it('isolates once enough distinct jobs failed there within the window', () => {
    const opts = { windowMs: 60_000, distinctJobs: 3 };
    let c = emptyFaultCase('n1');
    const at = (s: number) => new Date(Date.parse('2026-03-13T10:00:00Z') + s * 1000).toISOString();
    c = recordNodeFailure(c, { jobId: 'j1', task: 'worker-0', at: at(0), kind: 'non-zero-exit', code: 'launch-failed' }, opts);
    c = recordNodeFailure(c, { jobId: 'j1', task: 'worker-1', at: at(1), kind: 'process-killed' }, opts);
    c = recordNodeFailure(c, { jobId: 'j2', task: 'worker-0', at: at(2), kind: 'hardware' }, opts);
    // Not the node's doing: an eviction, the script's own non-zero exit, a user error.
    c = recordNodeFailure(c, { jobId: 'j3', task: 'worker-0', at: at(3), kind: 'evicted' }, opts);
    c = recordNodeFailure(c, { jobId: 'j4', task: 'worker-0', at: at(3), kind: 'non-zero-exit', code: 'exit 1' }, opts);
    c = recordNodeFailure(c, { jobId: 'j5', task: 'worker-0', at: at(3), kind: 'user-error', code: 'not-found' }, opts);
    expect(crossJobVerdict(c, at(3), opts)).toMatchObject({ isolate: false, jobs: ['j1', 'j2'] });
    c = recordNodeFailure(c, { jobId: 'j3', task: 'worker-0', at: at(4), kind: 'process-killed', code: 'SIGSEGV' }, opts);
    expect(crossJobVerdict(c, at(4), opts)).toMatchObject({ isolate: true, jobs: ['j1', 'j2', 'j3'] });
    expect(crossJobVerdict(c, at(70), opts).isolate).toBe(false);
  });
});

describe('node liveness - suspect after the lease, lost after the grace', () => {
  it('follows the silence', () => {
    const t = { leaseMs: 3000, graceMs: 2000 };
    expect(nodeLiveness(undefined, 10_000, t)).toBe('unknown');
    expect(nodeLiveness(8_000, 10_000, t)).toBe('alive');
    expect(nodeLiveness(6_000, 10_000, t)).toBe('suspect');
    expect(nodeLiveness(5_000, 10_000, t)).toBe('lost');
  });
});
