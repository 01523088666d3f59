import { DEFAULT_WAIT_REASON_POLICY, WAIT_CAUSES, waitCause, waitReasonWorthRecording, type LastWaitReason } from '@trainyard/domain';
import { WaitReason } from '@trainyard/scheduling';
import { describe, expect, it } from 'vitest';
import { job, node, SchedulerHarness } from '@trainyard/testing/scheduling';
import { toWaitReason } from './wait-reasons';

describe('wait reasons - the flap of issue 9 with the real planner', () => {
  it('every planner code has a cause', () => {
    for (const code of Object.values(WaitReason)) expect(WAIT_CAUSES[code], code).toBeDefined();
  });

  /**
   * 100 queued jobs of mixed sizes (¼ to 1 cpu, 1 to 3 instances) on two 2-cpu nodes, a pass every
   * 250 ms, jobs running 1–3 s: partial fits come and go with every job that ends, so a waiting job's
   * explanation changes pass after pass (its code too: INSUFFICIENT_RESOURCES ↔ BEHIND_IN_QUEUE).
   * Folded as the scheduler records them, each job gets a handful of JobWaiting.
   */
  it('a waiting job whose explanation changes dozens of times records a handful of JobWaiting', () => {
    const h = new SchedulerHarness([node('n1', { cpu: 2 }), node('n2', { cpu: 2 })], { reservationTtlMs: 10_000, reservationBackoffMs: 10_000 });
    let r = 7;
    const random = () => (r = (r * 16807) % 2147483647) / 2147483647;
    const size = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const nodeCount = i % 3 === 0 ? 2 : 1 + (i % 2);
      size.set(`j${i}`, nodeCount);
      h.submit(job(`j${i}`, { nodeCount, flavor: { cpu: [0.25, 0.5, 0.75, 1][i % 4] * 1.5, memoryMiB: 128 } }));
    }
    const ends = new Map<string, number>();
    const last = new Map<string, LastWaitReason & { refreshes: number }>();
    const recorded = new Map<string, number>();
    const seen = new Map<string, string>();
    const changed = new Map<string, number>();
    const codeChanged = new Map<string, number>();
    let passes = 0;
    while (h.queue.size || h.running.size) {
      for (const [id, end] of ends) if (end <= h.now) (h.finish(id), ends.delete(id));
      const plan = h.pass();
      passes++;
      for (const p of plan.place) ends.set(p.jobId, h.now + 1_000 + random() * 2_000);
      const now = new Date(h.now).toISOString();
      for (const w of plan.waiting) {
        const reason = toWaitReason(w);
        const before = seen.get(w.jobId);
        if (before !== undefined && before !== JSON.stringify(reason)) changed.set(w.jobId, (changed.get(w.jobId) ?? 0) + 1);
        if (before !== undefined && JSON.parse(before).code !== reason.code) codeChanged.set(w.jobId, (codeChanged.get(w.jobId) ?? 0) + 1);
        seen.set(w.jobId, JSON.stringify(reason));
        const prev = last.get(w.jobId);
        if (!waitReasonWorthRecording(prev, reason, now, DEFAULT_WAIT_REASON_POLICY, size.get(w.jobId))) continue;
        recorded.set(w.jobId, (recorded.get(w.jobId) ?? 0) + 1);
        last.set(w.jobId, { reason, at: now, refreshes: prev && waitCause(prev.reason) === waitCause(reason) ? prev.refreshes + 1 : 0 });
      }
      h.advance(250);
    }
    const max = (m: Map<string, number>) => Math.max(...m.values());
    // The input flaps: some job's explanation changed at least 30 times (its code more than 10 times)…
    expect(passes).toBeGreaterThan(300);
    expect(max(changed)).toBeGreaterThanOrEqual(30);
    expect(max(codeChanged)).toBeGreaterThan(10);
    // …and no job records more than a handful.
    expect(max(recorded)).toBeLessThanOrEqual(5);
  });
});
