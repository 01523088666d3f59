import { describe, expect, it } from 'vitest';
import { formatNodeAvailability, formatRecovery } from './format-recovery';

describe('formatRecovery - the fault-tolerance section of yard describe', () => {
  it('shows the switches, current/max restarts, the decisions and the analyses', () => {
    const text = formatRecovery({
      jobId: 'j1',
      policy: { autoRestart: true, maxRestarts: 3, unconditional: true, hangRetry: false },
      restarts: { current: 1, max: 3 },
      history: [
        { seq: 9, time: '2026-03-13T10:02:11.000Z', kind: 'decision', attempt: 1, rule: 'isolating-reschedule', action: 'reschedule-job',
          fault: { kind: 'node-lost', task: 'worker-0', nodeId: 'n2', code: 'lost', hardware: true }, restarts: { current: 1, max: 3 }, isolate: ['n2'] },
        { seq: 12, time: '2026-03-13T10:05:00.000Z', kind: 'suspected-hang', attempt: 2 },
      ],
      analyses: [{ time: '2026-03-13T10:02:11.000Z', task: 'worker-0', attempt: 1, rule: 'LF-CUDA-OOM', cause: 'the accelerator ran out of memory', advice: 'reduce the batch size', adviceKind: 'reference_case', evidence: [{ seq: 41, text: 'CUDA out of memory' }] }],
    });
    expect(text).toContain('Fault tolerance: auto restart on, restarts 1/3, unconditional on, hang retry off');
    expect(text).toMatch(/isolating-reschedule\s+reschedule-job \(isolate n2\)\s+node-lost lost worker-0 on n2\s+1\/3/);
    expect(text).toContain('suspected hang (J10)');
    expect(text).toContain('Possible cause: the accelerator ran out of memory');
    expect(text).toContain('41: CUDA out of memory');
    expect(text).toContain('(see the reference case)');
  });

  it("points the guide's copy-the-job advice at yard copy", () => {
    const analysis = { time: '2026-03-13T10:02:11.000Z', task: 'worker-0', attempt: 1, rule: 'LF-NCCL', cause: 'a link failed', advice: 'copy the job to run it elsewhere', adviceKind: 'copy_job' as const, evidence: [] };
    const text = formatRecovery({ jobId: 'j7', policy: { autoRestart: false, maxRestarts: 0, unconditional: false, hangRetry: false }, restarts: null, history: [], analyses: [analysis] });
    expect(text).toContain('Recommended:    copy the job to run it elsewhere (copy the job: yard copy j7 --set path=value)');
  });

  it('says when auto restart is off; a node line names its isolation', () => {
    expect(formatRecovery({ jobId: 'j', policy: { autoRestart: false, maxRestarts: 0, unconditional: false, hangRetry: false }, restarts: null, history: [], analyses: [] })).toBe('Fault tolerance: auto restart off\n');
    const n = { id: 'n2', host: 'h', pool: 'p', capacity: {} as never, used: {} as never, labels: {}, status: 'ready', lastHeartbeat: null };
    expect(formatNodeAvailability({ ...n, availability: null })).toBe('n2: in service\n');
    expect(formatNodeAvailability({ ...n, availability: 'isolated', isolation: { reason: 'operator', by: 'user:ops', since: '2026-03-13T10:00:00.000Z', detail: 'fan' } })).toMatch(/^n2: isolated \(operator by user:ops since .*: fan\)\n$/);
  });
});
