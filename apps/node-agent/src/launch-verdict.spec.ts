import { event, type JobEvent, withDefaults } from '@trainyard/contracts';
import { fold, taskView, trainingJobDecider } from '@trainyard/domain';
import { describe, expect, it } from 'vitest';
import { anAssignment } from './assignment.fixture';
import { launchVerdict } from './launch-verdict';

const t = '2026-03-13T10:00:00Z';
const a = anAssignment({ jobId: 'j1', attempt: 1 });
const spec = withDefaults({ kind: 'job', metadata: { name: 'j1' }, algorithm: { command: 'x' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 1 } } } });
const scheduled = (attempt: number, nodeId = 'n1'): JobEvent[] => [
  event('JobScheduled', t, { attempt, placements: [{ task: 'worker-0', index: 0, nodeId, host: 'h' }] }),
];
const created: JobEvent[] = [event('JobCreated', t, { jobId: 'j1', spec, tasks: ['worker-0'], createdBy: 'u' }), event('JobQueued', t, { priority: 1 })];
const started = (attempt: number, nodeId = 'n1'): JobEvent => event('TaskStarted', t, { task: 'worker-0', attempt, nodeId, procStartCount: 1 });
// The view the report intake answers for the assignment's task.
const job = (...events: JobEvent[]) => taskView(fold(trainingJobDecider, events), 'worker-0');

describe('launch verdict', () => {
  it('launch verdict - the job waits for this attempt: launch', () => expect(launchVerdict(job(...created, ...scheduled(1)), a, 'n1')).toBe('launch'));
  it('launch verdict - the job is unknown: launch and let the start report decide', () => expect(launchVerdict(job(), a, 'n1')).toBe('launch'));
  it('launch verdict - a newer attempt exists: skip', () =>
    expect(launchVerdict(job(...created, ...scheduled(1), started(1), event('TaskExited', t, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: 1, reason: 'exited' }), ...scheduled(2)), a, 'n1')).toBe('skip'));
  it('launch verdict - the attempt already ended: skip', () =>
    expect(launchVerdict(job(...created, ...scheduled(1), started(1), event('TaskExited', t, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: 0, reason: 'exited' })), a, 'n1')).toBe('skip'));
  it('launch verdict - the job says it runs here, but this agent did not start it: orphaned', () =>
    expect(launchVerdict(job(...created, ...scheduled(1), started(1)), a, 'n1')).toBe('orphaned'));
  it('launch verdict - it runs on another node: skip', () => expect(launchVerdict(job(...created, ...scheduled(1, 'n2'), started(1, 'n2')), a, 'n1')).toBe('skip'));
  it('launch verdict - the job is terminating and still counts the task assigned: stop', () =>
    expect(launchVerdict(job(...created, ...scheduled(1), event('JobStopRequested', t, { by: 'u', reason: 'user' })), a, 'n1')).toBe('stop'));
});
