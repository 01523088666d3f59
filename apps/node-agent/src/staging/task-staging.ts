import { chown, mkdir, readdir, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { formatObjectUrl, type ObjectUrl } from '@trainyard/contracts';
import { SpecError } from '../spec-error';
import { LaunchError } from '../task-runtime';
import { storeFor, type ObjectStore } from './object-stores';
import { ObjectTransfer } from './object-transfer';
import { isRetryable, type RetryPolicy } from './retry-policy';
import { CODE_LIMITS, exceededLimit, INPUT_LIMITS, OUTPUT_LIMITS, type StagingLimits } from './staging-limits';
import { needsStore, type StagedChannel, type StagingPlan } from './staging-plan';
import { OutputSync } from './output-sync';

/** What the agent knows to stage with. */
export interface StagingSettings {
  stores: readonly ObjectStore[];
  /** The node's pool: it picks the store (with the bucket). */
  pool: string;
  retry: RetryPolicy;
  /** Outputs are synced this often while the task runs (the guide's uploader: every 5 s, L10106). */
  syncMs: number;
}

/** One line of the task's log about its staging (`[staging] …`). */
export type StagingLine = (stream: 'stdout' | 'stderr', text: string) => void;

/** One staged channel, for the guide's events (W06–W09); the caller stamps task, attempt and node. */
export interface StagingReport {
  kind: 'input-downloaded' | 'input-download-failed' | 'output-uploaded' | 'output-prefetched';
  name: string;
  elapsedSeconds: number;
  files?: number;
  bytes?: number;
  reason?: string;
}

/** Where staging reports go; each is awaited, so W06/W09 are on the job before the task starts. */
export type StagingReporter = (report: StagingReport) => Promise<void>;

/** The staged task: the algorithm to launch, its object-store variables, and its outputs' sync. */
export interface StagedTask {
  plan: StagingPlan;
  /** Table 14-19 (`MA_S3_ENDPOINT`, `S3_USE_HTTPS`, `S3_VERIFY_SSL`), plus a store's task key when it grants one. */
  env: Record<string, string>;
  outputs?: OutputSync;
}

/**
 * Stages one task's data (issue 14), at the end of its environment preparation: the code dir, then
 * the inputs, then the outputs to pre-download, each listed first and checked against the guide's
 * limits (V9-V11), then copied under the guide's retry policy. A fault of the spec (no store serves
 * the bucket, nothing at the code dir, access denied, over a limit) is a `SpecError` naming the
 * channel's field; a store that stays unreachable through every retry is a `LaunchError`.
 * Credentials never appear in a line, an error or the task's environment, except a store's
 * separate task key when its operator configured one.
 */
export async function stageTask(plan: StagingPlan, settings: StagingSettings, line: StagingLine, owner?: number, report: StagingReporter = async () => undefined): Promise<StagedTask> {
  const env = storeEnvironment(settings, plan);
  if (!needsStore(plan)) return { plan, env };
  const transfers = new Map<ObjectStore, ObjectTransfer>();
  const transferFor = (field: string, url: ObjectUrl) => {
    const store = storeFor(settings.stores, settings.pool, url.bucket);
    if (!store) throw new SpecError(field, 'invalid', `no object store serves bucket ${url.bucket} for pool ${settings.pool} on this node`);
    let t = transfers.get(store);
    if (!t) transfers.set(store, (t = new ObjectTransfer(store, settings.retry)));
    return t;
  };
  try {
    if (plan.code) {
      const { url, hostDir } = plan.code;
      await fetchDir(transferFor('algorithm.codeDir', url), url, hostDir, CODE_LIMITS, 'algorithm.codeDir', 'code', line, owner, true);
    }
    for (const c of plan.channels) {
      await mkdir(c.hostDir, { recursive: true });
      if (owner !== undefined) await chown(c.hostDir, owner, owner);
      const started = Date.now();
      const elapsedSeconds = () => (Date.now() - started) / 1000;
      if (c.direction === 'input') {
        try {
          const got = await fetchDir(transferFor(c.field, c.url), c.url, c.hostDir, INPUT_LIMITS, c.field, `input ${c.name}`, line, owner, false);
          await report({ kind: 'input-downloaded', name: c.name, elapsedSeconds: elapsedSeconds(), ...got });
        } catch (err) {
          // W07 before the failed exit that follows; the reason is the one the task's log gives.
          await report({ kind: 'input-download-failed', name: c.name, elapsedSeconds: elapsedSeconds(), reason: (err as Error).message });
          throw err;
        }
      } else if (c.preDownload) {
        const got = await fetchDir(transferFor(c.field, c.url), c.url, c.hostDir, OUTPUT_LIMITS, c.field, `output ${c.name} (pre-download)`, line, owner, false);
        await report({ kind: 'output-prefetched', name: c.name, elapsedSeconds: elapsedSeconds(), ...got });
      }
    }
  } finally {
    for (const t of transfers.values()) t.close();
  }
  const outputs = outputSync(plan, settings, line);
  return { plan, env, ...(outputs ? { outputs } : {}) };
}

/**
 * The sync of a plan's object-store outputs, without staging anything: also what a re-adopting
 * agent resumes for a task an earlier run launched. Undefined when the task has none.
 */
export function outputSync(plan: StagingPlan, settings: StagingSettings, line: StagingLine): OutputSync | undefined {
  const targets = plan.channels.flatMap((c: StagedChannel) => {
    const store = c.direction === 'output' ? storeFor(settings.stores, settings.pool, c.url.bucket) : undefined;
    return store ? [{ channel: c, store }] : [];
  });
  return targets.length ? new OutputSync(targets, settings.retry, settings.syncMs, line) : undefined;
}

/** Lists, checks the limits, downloads; one line when done. `mustExist`: an empty prefix is an error (a code dir). */
async function fetchDir(
  t: ObjectTransfer, url: ObjectUrl, dir: string, limits: StagingLimits, field: string, what: string,
  line: StagingLine, owner: number | undefined, mustExist: boolean,
): Promise<{ files: number; bytes: number }> {
  const started = Date.now();
  const where = formatObjectUrl(url);
  const files = await storeCall(field, where, () => t.list(url));
  if (mustExist && files.length === 0) throw new SpecError(field, 'not-found', `${what} ${where} holds no objects`);
  const over = exceededLimit(files, limits);
  if (over) throw new SpecError(field, 'too-large', `${what} ${where}: ${over}`);
  // A relaunch of the same attempt starts from what the store holds, not from a half-copied dir.
  await rm(dir, { recursive: true, force: true });
  await storeCall(field, where, () => t.download(url, files, dir));
  if (owner !== undefined) await chownTree(dir, owner);
  const bytes = files.reduce((n, f) => n + f.size, 0);
  line('stdout', `[staging] ${what} ${where}: ${files.length} file(s), ${bytes} bytes downloaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { files: files.length, bytes };
}

/** A store call whose failure is classified: the spec's (denied, missing) or the store's (unreachable). */
async function storeCall<T>(field: string, where: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    const e = err as Error & { name: string; attempts?: number };
    if (e instanceof SpecError) throw e;
    if (e.name === 'NoSuchBucket' || e.name === 'NoSuchKey' || e.name === 'NotFound') throw new SpecError(field, 'not-found', `${where}: ${e.name}`);
    if (!isRetryable(e)) throw new SpecError(field, 'access-denied', `${where}: ${e.name}`);
    throw new LaunchError(`object store unreachable for ${where} after ${e.attempts ?? 1} attempt(s): ${e.name}: ${e.message}`, { cause: e });
  }
}

async function chownTree(dir: string, owner: number): Promise<void> {
  await chown(dir, owner, owner);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = posix.join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, owner);
    else await chown(p, owner, owner);
  }
}

/**
 * Table 14-19 (L12362-12399) for the store the task's data comes from (else the first store of the
 * node's pool): `MA_S3_ENDPOINT`, `S3_USE_HTTPS` (1 for an https endpoint), `S3_VERIFY_SSL` (the
 * store's setting, the guide's default 0). No credentials, unless the store's operator gave a separate
 * task key (`taskCredentials`): then `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, the names S3
 * SDKs read. Pure.
 */
export function storeEnvironment(settings: Pick<StagingSettings, 'stores' | 'pool'>, plan: StagingPlan): Record<string, string> {
  const first = plan.code?.url ?? plan.channels[0]?.url;
  const store = first ? storeFor(settings.stores, settings.pool, first.bucket) : settings.stores.find((s) => s.pools.length === 0 || s.pools.includes(settings.pool));
  if (!store) return {};
  return {
    MA_S3_ENDPOINT: store.endpoint,
    S3_USE_HTTPS: store.endpoint.startsWith('https://') ? '1' : '0',
    S3_VERIFY_SSL: store.verifySsl ? '1' : '0',
    ...(store.taskCredentials
      ? { AWS_ACCESS_KEY_ID: store.taskCredentials.accessKeyId.reveal(), AWS_SECRET_ACCESS_KEY: store.taskCredentials.secretAccessKey.reveal(), AWS_REGION: store.region }
      : {}),
  };
}
