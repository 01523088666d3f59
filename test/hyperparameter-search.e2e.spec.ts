import { Subjects, type SearchView } from '@trainyard/contracts';
import { TEST_ADMIN_ID, writableTempDir } from '@trainyard/testing';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsFile } from '@trainyard/event-log';
import { eventually } from './support/eventually';
import { yardIn } from './support/fault-injection';
import { buildServicesOnce, ROOT, startService, type ServiceProcess } from './support/processes';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/** The quadratic's loss without noise: the optimum is 1.0 at x = 1.5. */
const trueLoss = (x: number) => 1 + (x - 1.5) ** 2;

const template = (command: string) => ({
  kind: 'job',
  metadata: { name: 'quadratic' },
  algorithm: { codeDir: resolve(ROOT, 'examples/search'), command },
  spec: { resource: { flavor: { cpu: 0.25, memoryMiB: 128 }, nodeCount: 1 } },
});

/**
 * Hyperparameter search end to end (issue 15): a `tpe_search` of 16 trials over a real script (the
 * noisy quadratic of examples/search, which prints `loss=` each step), on a locked bus, with the tuner
 * as a process of its own that is SIGKILLed mid-search and started again. The search must complete,
 * every trial run once, and the best trial lie within 10 % of the optimum.
 */
describe('hyperparameter search - tpe_search over a noisy quadratic, across a tuner crash', () => {
  let t: TestCluster;
  let tuner: ServiceProcess | undefined;
  const dir = writableTempDir('trainyard-search-');
  const startTunerProcess = () =>
    startService('tuner', 'tuner', {
      TY_NATS_URL: t.nats.url,
      TY_NATS_CREDENTIALS: credentialsFile(t.busDir!, 'tuner'),
      TY_DATABASE_URL: t.schema.url,
      TY_DATABASE_SCHEMA: t.schema.schema,
      TY_TUNER_TICK_MS: '200',
      TY_TUNER_LOG_WAIT_MS: '3000',
      TY_TUNER_LEASE_TTL_MS: '1500',
      TY_METRICS_PORT: 'off',
    }, /tuner: ready/);

  beforeAll(async () => {
    buildServicesOnce();
    t = await startTestCluster({ tuner: false }, { lockedBus: true });
    tuner = await startTunerProcess();
  }, 180_000);
  afterAll(async () => {
    await tuner?.stop();
    await t?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  const show = async (id: string) => (await t.api.call<SearchView>('GET', `/v1/searches/${id}`)).body;

  it('finds x within 10 % of the optimum in 16 trials, 3 at a time; a killed tuner resumes and runs no trial twice', async () => {
    const file = join(dir, 'search.yaml');
    writeFileSync(file, JSON.stringify({
      kind: 'search',
      metadata: { name: 'quadratic' },
      search: {
        algorithm: 'tpe_search',
        algorithmParameters: { num_samples: 16, n_initial_points: 4, gamma: 0.25, seed: 7 },
        metric: { name: 'loss', direction: 'minimize', regex: 'loss=([-+0-9.eE]+)' },
        parameters: [{ name: 'x', type: 'float', min: -2, max: 4 }],
        parallelTrials: 3,
      },
      job: template("/usr/bin/python3 ${MA_JOB_DIR}/search/quadratic.py --optimizer adam"),
    }));
    const created = await yardIn(t.cluster.apiUrl, ['search', 'create', file]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const id = created.stdout.trim();

    // Mid-search: some trials over, others to come. SIGKILL: no shutdown hook, the lease ages out.
    const before = await eventually(async () => {
      const s = await show(id);
      return s.trialsEnded >= 5 ? s : undefined;
    }, 90_000);
    await tuner!.kill();
    const atKill = await show(id);
    expect(atKill.trialsEnded).toBeLessThan(16);
    expect(before.status).toBe('running');
    tuner = await startTunerProcess();

    const done = await eventually(async () => {
      const s = await show(id);
      return s.status === 'completed' ? s : undefined;
    }, 150_000);
    expect(done.trials).toHaveLength(16);
    expect(done.trials.map((x) => x.status)).toEqual(Array(16).fill('completed'));
    // Each trial's result is its log's last `loss=`: the noisy loss at the trial's x.
    for (const trial of done.trials) expect(Math.abs(trial.value! - trueLoss(trial.values.x as number))).toBeLessThan(0.06);
    expect(trueLoss(done.best!.values.x as number)).toBeLessThanOrEqual(1.1);
    expect(done.best!.value).toBe(Math.min(...done.trials.map((x) => x.value!)));

    // The log: each trial started once, numbered 1..16; the best only ever improved; the end names it.
    const { commits } = await t.cluster.eventLog.read(Subjects.search(id));
    const events = commits.flatMap((c) => c.events);
    const started = events.filter((e) => e.type === 'TrialStarted').map((e) => (e.data as { trial: number }).trial);
    expect(started).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const bests = events.filter((e) => e.type === 'BestTrialChanged').map((e) => (e.data as { value: number }).value);
    expect(bests.length).toBeGreaterThan(0);
    for (let i = 1; i < bests.length; i++) expect(bests[i]).toBeLessThan(bests[i - 1]);
    const ended = events.filter((e) => e.type === 'SearchEnded');
    expect(ended).toHaveLength(1);
    expect((ended[0].data as { best: { trial: number } }).best.trial).toBe(done.best!.trial);
    expect(events.filter((e) => e.type === 'TrialEnded')).toHaveLength(16);

    // No trial ran twice: one job per trial, each created once and started once, and no other job.
    for (const trial of done.trials) {
      const job = await t.cluster.eventLog.read(Subjects.job(trial.jobId));
      const types = job.commits.flatMap((c) => c.events.map((e) => e.type));
      expect(types.filter((x) => x === 'JobCreated'), trial.jobId).toHaveLength(1);
      expect(types.filter((x) => x === 'TaskStarted'), trial.jobId).toHaveLength(1);
      expect(types.filter((x) => x === 'JobSucceeded'), trial.jobId).toHaveLength(1);
    }
    const jobs = await t.api.call<{ items: { id: string }[]; total: number }>('GET', '/v1/training-jobs?experiment=quadratic&limit=100');
    expect(jobs.body.total).toBe(16);

    const shown = await yardIn(t.cluster.apiUrl, ['search', 'show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Best:       trial ${done.best!.trial} (job ${done.best!.jobId})`);
    expect(shown.stdout).toMatch(/Status:\s+completed; 16 of 16 trials ended/);
  }, 300_000);

  it('stops trials worse than the median early: a grid from the optimum outwards, two at a time', async () => {
    const r = await t.api.call<SearchView>('POST', '/v1/searches', {
      kind: 'search',
      metadata: { name: 'median' },
      search: {
        algorithm: 'grid',
        // x = 1.5, 2.8, 4.1, 5.4, 6.7, 8: each trial worse than the one before.
        parameters: [{ name: 'x', type: 'float', min: 1.5, max: 8, steps: 6 }],
        metric: { name: 'loss', direction: 'minimize' },
        parallelTrials: 2,
        earlyStopping: { rule: 'median', warmupSteps: 2, minTrials: 2 },
      },
      job: template('/usr/bin/python3 ${MA_JOB_DIR}/search/quadratic.py --optimizer adam --steps 6 --step-seconds 0.3'),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const done = await eventually(async () => {
      const s = await show(r.body.id);
      return s.status === 'completed' ? s : undefined;
    }, 120_000);
    // Trials 3–6 start once 1 or 2 ended and are stopped when their loss at a step is above the median of 1 and 2 there.
    expect(done.trials.map((x) => x.status)).toEqual(['completed', 'completed', 'pruned', 'pruned', 'pruned', 'pruned']);
    expect(done.best!.trial).toBe(1);
    const { commits } = await t.cluster.eventLog.read(Subjects.search(r.body.id));
    const pruned = commits.flatMap((c) => c.events).filter((e) => e.type === 'TrialPruned').map((e) => e.data as { trial: number; step: number; value: number; median: number });
    expect(pruned.map((p) => p.trial).sort()).toEqual([3, 4, 5, 6]);
    for (const p of pruned) {
      expect(p.step).toBeGreaterThanOrEqual(2);
      expect(p.value).toBeGreaterThan(p.median);
    }
    for (const trial of done.trials.slice(2)) {
      expect(trial.reports).toBeLessThan(6);
      const job = await t.cluster.eventLog.read(Subjects.job(trial.jobId));
      expect(job.commits.flatMap((c) => c.events.map((e) => e.type))).toContain('JobTerminated');
    }
  }, 150_000);

  it('yard search stop: no new trial, the running ones are stopped, the search ends stopped', async () => {
    const r = await t.api.call<SearchView>('POST', '/v1/searches', {
      kind: 'search',
      metadata: { name: 'stopped' },
      search: { algorithm: 'random', algorithmParameters: { num_samples: 20 }, metric: { name: 'loss', direction: 'minimize' }, parameters: [{ name: 'x', type: 'float', min: -2, max: 4 }], parallelTrials: 2 },
      job: template('/usr/bin/python3 ${MA_JOB_DIR}/search/quadratic.py --optimizer adam --steps 100 --step-seconds 0.3'),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.id;
    await eventually(async () => ((await show(id)).trials.filter((x) => x.reports > 0).length === 2 ? true : undefined), 60_000);
    const stopped = await yardIn(t.cluster.apiUrl, ['search', 'stop', id]);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toBe(`search ${id} stopping\n`);
    const done = await eventually(async () => {
      const s = await show(id);
      return s.status === 'stopped' ? s : undefined;
    }, 60_000);
    expect(done.trials.map((x) => x.status)).toEqual(['stopped', 'stopped']);
    expect(done.stoppedBy).toBe(TEST_ADMIN_ID);
    for (const trial of done.trials) {
      const job = await t.cluster.eventLog.read(Subjects.job(trial.jobId));
      expect(job.commits.flatMap((c) => c.events.map((e) => e.type))).toContain('JobTerminated');
    }
    const again = await t.api.call('POST', `/v1/searches/${id}/stop`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ILLEGAL_STATE');
  }, 120_000);

  it('bayes_opt_search (ei) and anneal_search run their trials to the end through the same path', async () => {
    const ids: Record<string, string> = {};
    for (const [algorithm, algorithmParameters] of [['bayes_opt_search', { num_samples: 6, kind: 'ei', xi: 0.01, n_initial_points: 3 }], ['anneal_search', { num_samples: 6, avg_best_idx: 1.5, shrink_coef: 0.3 }]] as const) {
      const r = await t.api.call<SearchView>('POST', '/v1/searches', {
        kind: 'search',
        metadata: { name: algorithm.replace(/_/g, '-') },
        search: { algorithm, algorithmParameters, metric: { name: 'loss', direction: 'minimize' }, parameters: [{ name: 'x', type: 'float', min: -2, max: 4 }, { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam'] }], parallelTrials: 3 },
        job: template('/usr/bin/python3 ${MA_JOB_DIR}/search/quadratic.py'),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids[algorithm] = r.body.id;
    }
    for (const [algorithm, id] of Object.entries(ids)) {
      const done = await eventually(async () => {
        const s = await show(id);
        return s.status === 'completed' ? s : undefined;
      }, 90_000);
      expect(done.trials.map((x) => x.status), algorithm).toEqual(Array(6).fill('completed'));
      for (const trial of done.trials) {
        const x = trial.values.x as number;
        expect(x).toBeGreaterThanOrEqual(-2);
        expect(x).toBeLessThanOrEqual(4);
        expect(['sgd', 'adam']).toContain(trial.values.optimizer);
        // The script read the values: its last loss is the quadratic at them.
        expect(Math.abs(trial.value! - (trueLoss(x) + (trial.values.optimizer === 'adam' ? 0 : 0.5)))).toBeLessThan(0.06);
      }
      expect(done.best!.value).toBe(Math.min(...done.trials.map((x) => x.value!)));
    }
  }, 150_000);

  it('refuses a bad search document with stable codes and field paths, the trial template’s under job.', async () => {
    const r = await t.api.call('POST', '/v1/searches', {
      kind: 'search',
      metadata: { name: 'bad' },
      search: { algorithm: 'tpe_search', algorithmParameters: { num_samples: 4, gamma: 2 }, metric: { name: 'loss', direction: 'minimize' }, parameters: [{ name: 'x', type: 'float', min: 1, max: 0 }] },
      job: template('true'),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details.map((d: { path: string; code: string }) => `${d.path} ${d.code}`)).toEqual(['search.parameters[0].max OUT_OF_RANGE', 'search.algorithmParameters.gamma OUT_OF_RANGE']);
    const job = await t.api.call('POST', '/v1/searches', {
      kind: 'search',
      metadata: { name: 'bad' },
      search: { algorithm: 'random', algorithmParameters: { num_samples: 2 }, metric: { name: 'loss', direction: 'minimize' }, parameters: [{ name: 'x', type: 'float', min: 0, max: 1 }] },
      job: { ...template('true'), spec: { resource: { flavor: { cpu: -1, memoryMiB: 128 }, nodeCount: 1 } } },
    });
    expect(job.status).toBe(400);
    expect(job.body.error.details[0].path).toBe('job.spec.resource.flavor.cpu');
  });
});
