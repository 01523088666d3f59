import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLines, submit, yardIn } from './support/fault-injection';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * An msrun-style job (issue 14): like `msrun --log_dir=${MA_LOG_DIR}`, its launcher starts two
 * workers whose output goes only to `${MA_LOG_DIR}/worker_<i>.log`; the console says nothing of their
 * steps. The agent follows those files into the task's log, tagged by file, so `yard logs` shows the
 * workers' lines, `-f` follows them while they are written, `--grep` finds them, and the download has them.
 */
describe('task log files - what a job writes under MA_LOG_DIR is read, followed and downloaded like stdout', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster();
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  const MSRUN_LIKE = [
    'echo "msrun: 2 workers, logs in $MA_LOG_DIR"',
    'for i in 0 1; do (for s in 1 2 3 4 5; do echo "worker $i epoch $s loss=0.$((9 - s))" >> "$MA_LOG_DIR/worker_$i.log"; sleep 0.4; done) & done',
    'wait',
    'echo "msrun: all workers exited"',
  ].join('\n');

  it('yard logs shows each worker log file\'s lines, tagged; -f shows them as they are written; --grep and --download find them', async () => {
    const id = await submit(t.api, shellJob('msrun-like', MSRUN_LIKE));
    // A follow started while the job runs ends after the workers' last lines (they are shipped before eof).
    const follow = yardIn(t.api.url, ['logs', id, '-f']);
    const lines = await logLines(t.api, id, 'worker-0', 1, /all workers exited/);
    const worker = (i: number) => lines.filter((l) => l.startsWith(`[worker_${i}.log] `));
    expect(worker(0)).toEqual([1, 2, 3, 4, 5].map((s) => `[worker_0.log] worker 0 epoch ${s} loss=0.${9 - s}`));
    expect(worker(1)).toHaveLength(5);
    expect(lines[0]).toMatch(/^msrun: 2 workers, logs in /);

    const followed = await follow;
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain('[worker_1.log] worker 1 epoch 5 loss=0.4');

    const grep = await yardIn(t.api.url, ['logs', id, '--grep', 'worker 1 epoch 3']);
    expect(grep.stdout).toContain('[worker_1.log] worker 1 epoch 3 loss=0.6');

    const file = await fetch(`${t.api.url}/v1/training-jobs/${id}/tasks/worker-0/logs/download`, { headers: t.api.auth });
    const text = await file.text();
    expect(text).toContain('[worker_0.log] worker 0 epoch 5 loss=0.4\n');
    expect(text).toContain('msrun: all workers exited\n');
  });
});
