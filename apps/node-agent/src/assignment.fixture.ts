import type { TaskAssignment } from '@trainyard/contracts';

/** A one-task assignment for tests; override what a test is about. */
export function anAssignment(overrides: Partial<TaskAssignment> = {}): TaskAssignment {
  return {
    jobId: 'job-1',
    jobName: 'hello',
    task: 'worker-0',
    index: 0,
    attempt: 1,
    scheduleCount: 1,
    procStartCount: 1,
    algorithm: { command: 'echo hello', launchMethod: 'custom' },
    flavor: { cpu: 1, memoryMiB: 256 },
    runtime: 'process',
    hosts: ['127.0.0.1'],
    ...overrides,
  };
}
