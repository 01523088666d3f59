import { event } from '@trainyard/contracts';
import { mkdtemp, readFile, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anAssignment } from './assignment.fixture';
import { ackPath, ackStamp, noticePath, writeNotice } from './preemption-notice';
import { buildTaskEnvironment } from './task-environment';
import { taskPaths } from './task-paths';
import { applyNodeEvent, onCheckpoint, reconcile, taskKey } from './task-reconciler';

const t = '2026-03-13T10:00:00Z';
const a = anAssignment();
const key = taskKey(a);
const assigned = event('TaskAssigned', t, a);
const preemption = { by: 'j-urgent', deadline: '2026-03-13T10:00:30.000Z' };
const noticeReq = event('TaskStopRequested', t, { jobId: a.jobId, task: a.task, attempt: a.attempt, graceMs: 30_000, reason: 'preempted by job j-urgent (priority 3)', preemption });
const userStop = event('TaskStopRequested', t, { jobId: a.jobId, task: a.task, attempt: a.attempt, graceMs: 500, reason: 'user' });

describe('preemption notice - what the agent does', () => {
  it('the stop of a preemption carries its notice to the stop action', () => {
    const desired = applyNodeEvent(applyNodeEvent(new Map(), assigned), noticeReq);
    expect(reconcile(desired, new Map([[key, { phase: 'running' as const, startReported: true }]]))).toEqual([
      { kind: 'stop', key, graceMs: 30_000, reason: 'preempted by job j-urgent (priority 3)', preemption },
    ]);
  });

  it('an acknowledged checkpoint is reported; during a preemption notice the task is stopped at once, not for a user stop', () => {
    const noticed = applyNodeEvent(applyNodeEvent(new Map(), assigned), noticeReq).get(key);
    const stopped = applyNodeEvent(applyNodeEvent(new Map(), assigned), userStop).get(key);
    const running = applyNodeEvent(new Map(), assigned).get(key);
    expect(onCheckpoint(noticed, { phase: 'stopping', startReported: true })).toEqual({ report: true, stopNow: true });
    expect(onCheckpoint(stopped, { phase: 'stopping', startReported: true })).toEqual({ report: true, stopNow: false });
    expect(onCheckpoint(running, { phase: 'running', startReported: true })).toEqual({ report: true, stopNow: false });
    expect(onCheckpoint(running, { phase: 'exited', startReported: true })).toEqual({ report: false, stopNow: false });
    expect(onCheckpoint(running, { phase: 'running', startReported: false })).toEqual({ report: false, stopNow: false });
  });

  it('files: the notice is written whole under MA_MOUNT_PATH, the acknowledgement read by its time; the task is told both paths', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ty-notice-'));
    try {
      const paths = taskPaths(root, a);
      await mkdir(paths.mountPath, { recursive: true });
      expect(await ackStamp(paths)).toBeUndefined();
      await writeNotice(paths, { preemptedBy: 'j-urgent', deadline: preemption.deadline, graceSeconds: 30, reason: 'preempted' });
      expect(JSON.parse(await readFile(noticePath(paths.mountPath), 'utf8'))).toEqual({ preemptedBy: 'j-urgent', deadline: preemption.deadline, graceSeconds: 30, reason: 'preempted' });
      await writeFile(ackPath(paths.mountPath), 'step 120\n');
      await utimes(ackPath(paths.mountPath), 1_000, 1_000);
      expect(await ackStamp(paths)).toBe(1_000_000);
      const env = buildTaskEnvironment(a, { host: '10.0.0.5', paths });
      expect(env.MA_PREEMPTION_NOTICE_FILE).toBe(noticePath(paths.mountPath));
      expect(env.MA_CHECKPOINT_ACK_FILE).toBe(ackPath(paths.mountPath));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
