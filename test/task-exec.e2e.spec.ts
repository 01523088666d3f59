import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventOf, yardExec, yardIn } from './support/fault-injection';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * `yard exec` (issue 15) on a locked bus: the API records the exec (`TaskExecRequested`, with the
 * caller's principal, so the audit lists it), then asks the task's agent on `ty.exec.<node>` — which
 * only the API may publish on — to run the command as the task's user in its working directory.
 */
describe('exec - a command in a running task, as its user, recorded in the audit', () => {
  let t: TestCluster;
  let id: string;

  beforeAll(async () => {
    t = await startTestCluster({}, { lockedBus: true });
    const r = await t.api.call('POST', '/v1/training-jobs', shellJob('exec-target', 'echo ready > ready.txt; exec sleep 60'));
    expect(r.status).toBe(201);
    id = r.body.id;
    await eventOf(t.api, id, (e) => e.type === 'TaskStarted');
  }, 120_000);

  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('yard exec prints id -u from inside the task (1000), runs in its working directory, and exits with the command\'s code', async () => {
    const uid = await yardExec(t.api.url, id, ['--task', 'worker-0', '--', 'id', '-u']);
    expect(uid, uid.stderr).toMatchObject({ code: 0, stdout: '1000\n' });
    // The task's own working directory: the file its command wrote is there.
    const cat = await yardExec(t.api.url, id, ['--task', 'worker-0', '--', 'cat', 'ready.txt']);
    expect(cat.stdout).toBe('ready\n');
    const failing = await yardExec(t.api.url, id, ['--task', 'worker-0', '--', 'sh', '-c', 'echo oops >&2; exit 3']);
    expect(failing).toMatchObject({ code: 3, stdout: '', stderr: 'oops\n' });
    const slow = await yardExec(t.api.url, id, ['--task', 'worker-0', '--timeout', '1', '--', 'sleep', '20']);
    expect(slow.code).toBe(124);
    expect(slow.stderr).toContain('killed after the time-out');
  });

  it('each exec is in the job history and the audit with its principal and command line', async () => {
    const events = (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as any[];
    const execs = events.filter((e) => e.type === 'TaskExecRequested');
    expect(execs.map((e) => e.data.command)).toEqual(expect.arrayContaining([['id', '-u'], ['cat', 'ready.txt']]));
    expect(execs[0].data).toMatchObject({ task: 'worker-0', attempt: 1, by: expect.stringMatching(/^user:/) });
    const audit = JSON.parse((await yardIn(t.api.url, ['audit', '--job', id, '--json'])).stdout).items as any[];
    expect(audit.filter((a) => a.types.includes('TaskExecRequested')).length).toBeGreaterThanOrEqual(4);
  });

  it('refuses a malformed command with the field, and a task that is not running with ILLEGAL_STATE; nothing is recorded for either', async () => {
    const before = (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items.length;
    const bad = await t.api.call('POST', `/v1/training-jobs/${id}/tasks/worker-0/exec`, { command: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.path)).toEqual(['command']);
    const noTask = await t.api.call('POST', `/v1/training-jobs/${id}/tasks/worker-7/exec`, { command: ['true'] });
    expect(noTask.status).toBe(404);
    const done = await t.api.call('POST', '/v1/training-jobs', shellJob('exec-done', 'true'));
    await t.api.waitFor(done.body.id, 'completed');
    const ended = await t.api.call('POST', `/v1/training-jobs/${done.body.id}/tasks/worker-0/exec`, { command: ['true'] });
    expect(ended.status).toBe(409);
    expect(ended.body.error.code).toBe('ILLEGAL_STATE');
    expect((await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items.length).toBe(before);
  });
});
