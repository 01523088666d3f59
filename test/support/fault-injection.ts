import type { FaultManagerOptions } from '../../apps/fault-manager/src/fault-manager-options';
import { TEST_ADMIN_TOKEN } from '@trainyard/testing';
import { eventually } from './eventually';
import type { ApiClient } from './test-cluster';

/**
 * Fault-manager times for tests (decision 10): a node is suspect after 1.5 s of silence and lost
 * 1.5 s later; the guide's 30-minute hang window shrinks by `hangTimeScale` (0.001 → 1.8 s).
 */
export const FAST_FAULTS: Partial<FaultManagerOptions> = {
  leaseMs: 1_500,
  lostGraceMs: 1_500,
  tickMs: 200,
  stopGraceMs: 1_000,
  analysisWaitMs: 1_500,
  // A non-zero exit waits this long for its peers' exits (their root cause may come later).
  rootCauseWaitMs: 2_000,
  hangTimeScale: 0.001,
  hangMinSamples: 3,
  stackDumpWaitMs: 1_000,
  lease: { bucket: 'TY_LEADER', key: 'fault-manager', ttlMs: 1_500 },
  log: () => undefined,
};

/** The spec with fault-tolerance annotations. */
export function withFaultTolerance<T extends { metadata: { annotations?: Record<string, string> } }>(spec: T, annotations: Record<string, string>): T {
  return { ...spec, metadata: { ...spec.metadata, annotations: { ...spec.metadata.annotations, ...annotations } } };
}

export async function submit(api: ApiClient, spec: unknown): Promise<string> {
  const r = await api.call('POST', '/v1/training-jobs', spec);
  if (r.status !== 201) throw new Error(`submit refused: ${JSON.stringify(r.body)}`);
  return r.body.id;
}

export async function events(api: ApiClient, id: string): Promise<any[]> {
  return (await api.call('GET', `/v1/training-jobs/${id}/events`)).body.items;
}

/** Every stored line of a task attempt's log (waits until `until` matches one of them). */
export async function logLines(api: ApiClient, id: string, task: string, attempt: number, until?: RegExp): Promise<string[]> {
  return eventually(async () => {
    const r = await api.call('GET', `/v1/training-jobs/${id}/tasks/${task}/logs?attempt=${attempt}&limit=10000`);
    const text: string[] = (r.body?.items ?? []).map((l: { text: string }) => l.text);
    return !until || text.some((l) => until.test(l)) ? text : undefined;
  }, 20_000);
}

/** Waits until the job has an event matching `match`, and returns it. */
export async function eventOf(api: ApiClient, id: string, match: (e: any) => boolean, timeoutMs = 30_000): Promise<any> {
  return eventually(async () => (await events(api, id)).find(match), timeoutMs);
}

/** Runs `yard` in this process against `apiUrl`; resolves with its exit code and output. */
export function yardIn(apiUrl: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runYard([...argv, '--api', apiUrl]);
}

/** `yard exec ID --api URL REST…`: the API named before `--`, since everything after it is the task's command line. */
export function yardExec(apiUrl: string, id: string, rest: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runYard(['exec', id, '--api', apiUrl, ...rest]);
}

async function runYard(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runCli } = await import('../../apps/cli/src/cli');
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    vars: { TY_TOKEN: TEST_ADMIN_TOKEN },
    cwd: process.cwd(),
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  return { code, stdout, stderr };
}
