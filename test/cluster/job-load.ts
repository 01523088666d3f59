import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writableTempDir } from '@trainyard/testing';
import { withFaultTolerance } from '../support/fault-injection';
import { shellJob } from '../support/specs';
import type { ApiClient } from '../support/test-cluster';

/**
 * Many small jobs for the fault scenarios. Each task appends a line to a shared file when it starts
 * and another when its sleep is over (`<vj> <index> <schedule count> <proc start count> start|end`:
 * which attempt of which task, by the task's own hand, O_APPEND so lines never mix), so every job is
 * in flight when the fault comes. Jobs may be retried twice (a lost node's tasks are placed again).
 */
export interface JobLoad {
  ids: string[];
  /** `<vj> <index> <schedule count> <proc start count>` of every process start, in order. */
  starts(): string[];
  /** The same of every task that slept to its end. */
  ends(): string[];
  /** With `untilReleased`: lets every waiting task end now. */
  release(): void;
}

export const TERMINAL = ['completed', 'failed', 'terminated', 'abnormal', 'deleted'];

/**
 * `sleepS`: how long each task runs; with `untilReleased` it runs until the test calls `release()`
 * instead, at most `sleepS` (a fault's victims must still run when the test looks, however slow
 * the machine, and the others should not make the test wait longer than it needs to).
 */
export async function submitJobs(api: ApiClient, name: string, count: number, opts: { sleepS: number; twoNodeEvery?: number; untilReleased?: boolean }): Promise<JobLoad> {
  const dir = writableTempDir(`trainyard-starts-${name}-`);
  const file = join(dir, 'starts');
  // Tasks run as the job's user, not as the test: everyone may append.
  writeFileSync(file, '');
  chmodSync(file, 0o666);
  const me = '"$MA_VJ_NAME $VC_TASK_INDEX $MA_SCHEDULE_CNT $MA_PROC_START_CNT';
  const released = join(dir, 'released');
  const wait = opts.untilReleased ? `i=0; while [ ! -e ${released} ] && [ $i -lt ${opts.sleepS * 10} ]; do sleep 0.1; i=$((i+1)); done` : `sleep ${opts.sleepS}`;
  const command = `echo ${me} start" >> ${file}; ${wait}; echo ${me} end" >> ${file}; echo done`;
  const ids: string[] = new Array(count);
  let next = 0;
  // Ten at a time: the API answers each submit only once the command is committed to the log.
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < count) {
        const i = next++;
        const nodes = opts.twoNodeEvery && i % opts.twoNodeEvery === 0 ? 2 : 1;
        const spec = withFaultTolerance(shellJob(`${name}-${String(i).padStart(3, '0')}`, command, nodes), { 'fault-tolerance/job-retry-num': '2' });
        ids[i] = await submitWithRetry(api, spec);
      }
    }),
  );
  const lines = (what: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []).filter((l) => l.endsWith(` ${what}`)).map((l) => l.slice(0, -what.length - 1));
  return { ids, starts: () => lines('start'), ends: () => lines('end'), release: () => writeFileSync(released, '') };
}

/** POST with retries while no scheduler leads (503): a client's part. Anything else fails. */
async function submitWithRetry(api: ApiClient, spec: unknown): Promise<string> {
  for (let i = 0; ; i++) {
    const r = await api.call('POST', '/v1/training-jobs', spec);
    if (r.status === 201) return r.body.id as string;
    if (r.status !== 503 || i > 300) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Job states by id, from the list (one call for all). */
export async function jobStates(api: ApiClient, ids: string[]): Promise<Map<string, string>> {
  const want = new Set(ids);
  const out = new Map<string, string>();
  for (let offset = 0; ; offset += 500) {
    const r = await api.call('GET', `/v1/training-jobs?limit=500&offset=${offset}`);
    if (r.status !== 200) throw new Error(`list: ${r.status} ${JSON.stringify(r.body)}`);
    for (const j of r.body.items as { id: string; state: string }[]) if (want.has(j.id)) out.set(j.id, j.state);
    if (offset + 500 >= r.body.total) return out;
  }
}

/** Waits until at least `n` of the jobs are in one of `states`; read errors (an outage) are waited out. */
export async function waitForJobs(api: ApiClient, ids: string[], states: string[], n: number, timeoutMs: number): Promise<Map<string, string>> {
  const end = Date.now() + timeoutMs;
  let last = new Map<string, string>();
  for (;;) {
    try {
      last = await jobStates(api, ids);
      if ([...last.values()].filter((s) => states.includes(s)).length >= n) return last;
    } catch {
      // The API or its database is down for a moment: ask again.
    }
    if (Date.now() > end) {
      const counts: Record<string, number> = {};
      for (const s of last.values()) counts[s] = (counts[s] ?? 0) + 1;
      throw new Error(`${n} of ${ids.length} jobs not ${states.join('|')} in ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
