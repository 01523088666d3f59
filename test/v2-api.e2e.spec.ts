import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { toV2Path } from '@trainyard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from './support/test-cluster';

const FIXTURES = resolve(__dirname, 'fixtures/v2');
const HELLO = resolve(__dirname, '../examples/hello');
const P = '/v2/default';

/** A fixture of test/fixtures/v2 (see its README for the reference page each shape comes from). */
function fixture(name: string): any {
  return JSON.parse(readFileSync(resolve(FIXTURES, name), 'utf8').replaceAll('{{CODE_DIR}}', HELLO));
}

class Ended extends Error {}

/** Retries `probe` (assertions included) every 200 ms until it passes; an `Ended` error stops at once. */
async function eventually<T>(probe: () => Promise<T>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (err instanceof Ended || Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The dotted paths of `keys` that `body` lacks (`a[].b`: every item of array `a` has `b`). */
function missingKeys(body: unknown, keys: string[]): string[] {
  const has = (v: any, parts: string[]): boolean => {
    if (parts.length === 0) return v !== undefined;
    const [head, ...rest] = parts;
    if (head.endsWith('[]')) {
      const list = v?.[head.slice(0, -2)];
      return Array.isArray(list) && list.length > 0 && list.every((item) => has(item, rest));
    }
    return v !== null && typeof v === 'object' && has(v[head], rest);
  };
  return keys.filter((k) => !has(body, k.split('.')));
}

describe('v2 API - the vendor reference shapes through the same commands and views', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster();
    for (const f of [
      { id: 'cpu.half', pool: 'default', name: 'half a core', flavor: { cpu: 0.5, memoryMiB: 256 } },
      { id: 'cpu.1u1g', pool: 'default', flavor: { cpu: 1, memoryMiB: 1024 }, maxNodeCount: 2 },
    ]) {
      expect((await t.api.call('PUT', '/v1/flavors', f)).status).toBe(200);
    }
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('runs the hello example submitted as a v2 body (code_dir, flavor_id, node_count) to Completed, read back in v2 shape', async () => {
    const created = await t.api.call('POST', `${P}/training-jobs`, fixture('create-command-request.json'));
    expect(created.status).toBe(201);
    expect(missingKeys(created.body, fixture('show-response.keys.json'))).toEqual([]);
    expect(created.body.status.phase).toBe('Pending');
    const id = created.body.metadata.id;

    const done = await eventually(async () => {
      const r = (await t.api.call('GET', `${P}/training-jobs/${id}`)).body;
      if (['Failed', 'Abnormal', 'Terminated'].includes(r.status.phase)) throw new Ended(`job ended ${r.status.phase}: ${r.status.reason}`);
      expect(r.status.phase).toBe('Completed');
      return r;
    }, 60_000);
    expect(done.status).toMatchObject({ phase: 'Completed', secondary_phase: 'Completed', tasks: ['worker-0', 'worker-1'] });
    expect(done.status.duration).toBeGreaterThan(0);
    expect(done.status.task_statuses.map((s: any) => s.exit_code)).toEqual([0, 0]);
    expect(done.spec.resource).toMatchObject({ flavor_id: 'cpu.half', node_count: 2, pool_id: 'default', policy: 'regular' });
    expect(done.spec.resource.flavor_detail.flavor_info.cpu.core_num).toBe(0.5);
    expect(done.metadata).toMatchObject({ name: 'hello-v2', description: 'The hello example as a v2 body', workspace_id: '0' });
    expect(done.algorithm).toMatchObject({ code_dir: HELLO, command: 'python3 ${MA_JOB_DIR}/hello/train.py' });

    // One job, two surfaces: the native view of the same read model, with the catalogue flavor resolved.
    const native = (await t.api.call('GET', `/v1/training-jobs/${id}`)).body;
    expect(native.state).toBe('completed');
    expect(native.spec.spec.resource).toMatchObject({ flavorId: 'cpu.half', flavor: { cpu: 0.5, memoryMiB: 256 }, nodeCount: 2 });

    const preview = await t.api.call('GET', `${P}/training-jobs/${id}/tasks/worker-1/logs/preview`);
    expect(missingKeys(preview.body, fixture('log-preview-response.keys.json'))).toEqual([]);
    expect(preview.body.content).toContain('rank=1 world=2');
    expect(preview.body.current_size).toBe(Buffer.byteLength(preview.body.content));
    expect(preview.body.full_size).toBeGreaterThanOrEqual(preview.body.current_size);
    const url = (await t.api.call('GET', `${P}/training-jobs/${id}/tasks/worker-0/logs/url`)).body;
    expect(missingKeys(url, fixture('log-url-response.keys.json'))).toEqual([]);
    // A URL of this API: the gateway fetches it with its own token.
    const log = await (await fetch(url.obs_url, { headers: t.api.auth })).text();
    expect(log).toContain('rank=0 world=2');
  });

  it('replays the reference request examples: create, show, search, list by tag and phase, change the description', async () => {
    const created = await t.api.call('POST', `${P}/training-jobs`, { ...fixture('create-request.json'), metadata: { ...fixture('create-request.json').metadata, tags: [{ key: 'team', value: 'vision' }] } });
    expect(created.status).toBe(201);
    const id = created.body.metadata.id;
    const shown = (await t.api.call('GET', `${P}/training-jobs/${id}`)).body;
    expect(missingKeys(shown, fixture('show-response.keys.json'))).toEqual([]);
    expect(shown.spec.schedule_policy.priority).toBe(2);
    expect(shown.algorithm).toMatchObject({ boot_file: `${HELLO}/train.py`, engine: { engine_name: 'PyTorch', engine_version: '2.1' }, inputs: [{ name: 'data_url', remote: { obs: { obs_url: '/srv/data/mnist/' } } }] });
    expect(shown.metadata.annotations).toEqual({ 'fault-tolerance/job-retry-num': '3' });
    // The native view sees the same job with the native names.
    const native = (await t.api.call('GET', `/v1/training-jobs/${id}`)).body;
    expect(native.spec.algorithm).toMatchObject({ codeDir: HELLO, bootFile: `${HELLO}/train.py`, engine: { name: 'PyTorch', version: '2.1' }, inputs: [{ name: 'data_url', path: '/srv/data/mnist/' }] });

    const search = await t.api.call('POST', `${P}/training-job-searches`, { ...fixture('search-request.json'), filters: [{ key: 'name', operator: 'like', value: ['TestModelArts'] }] });
    expect(search.status).toBe(200);
    expect(missingKeys(search.body, fixture('list-response.keys.json'))).toEqual([]);
    expect(search.body.items.map((j: any) => j.metadata.id)).toEqual([id]);
    expect(search.body.count).toBe(1);
    expect(search.body.total).toBeGreaterThanOrEqual(1);
    expect((await t.api.call('GET', `${P}/training-jobs?tag=team:vision`)).body.items.map((j: any) => j.metadata.id)).toEqual([id]);
    expect((await t.api.call('GET', `${P}/training-jobs?tag=team:audio`)).body.items).toEqual([]);
    expect((await t.api.call('GET', `/v1/training-jobs?tag=team:vision`)).body.items.map((j: any) => j.id)).toEqual([id]);

    // The job runs on meanwhile: its phase may change between the read and the search, so both are
    // asked again until they agree (each answer must hold only jobs of the phase asked for).
    await eventually(async () => {
      const phase = (await t.api.call('GET', `${P}/training-jobs/${id}`)).body.status.phase;
      const byPhase = await t.api.call('POST', `${P}/training-job-searches`, { filters: [{ key: 'phase', value: [phase] }], limit: 50 });
      expect(byPhase.body.items.every((j: any) => j.status.phase === phase)).toBe(true);
      expect(byPhase.body.items.map((j: any) => j.metadata.id)).toContain(id);
    }, 30_000);

    const update = await t.api.call('PUT', `${P}/training-jobs/${id}`, fixture('update-request.json'));
    expect(update.status).toBe(204);
    expect((await t.api.call('GET', `${P}/training-jobs/${id}`)).body.metadata.description).toBe('description modified');
    expect((await t.api.call('GET', `/v1/training-jobs/${id}`)).body.description).toBe('description modified');
    const events = (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items.map((e: any) => e.type);
    expect(events).toContain('JobMetadataUpdated');
  });

  it('terminates through actions, deletes, and answers errors in the reference shape with stable codes', async () => {
    const body = { kind: 'job', metadata: { name: 'sleeper' }, algorithm: { command: 'sleep 60' }, spec: { resource: { flavor_id: 'cpu.half' } } };
    const id = (await t.api.call('POST', `${P}/training-jobs`, body)).body.metadata.id;
    await eventually(async () => expect((await t.api.call('GET', `${P}/training-jobs/${id}`)).body.status.phase).toBe('Running'), 30_000);
    const stop = await t.api.call('POST', `${P}/training-jobs/${id}/actions`, fixture('terminate-request.json'));
    expect(stop.status).toBe(202);
    expect(stop.body).toMatchObject({ kind: 'job', metadata: { id, name: 'sleeper' }, status: { phase: 'Terminating' } });
    await eventually(async () => expect((await t.api.call('GET', `${P}/training-jobs/${id}`)).body.status.phase).toBe('Terminated'), 30_000);
    // The path names the project: a job of another project is not found there.
    const elsewhere = await t.api.call('GET', `/v2/other-project/training-jobs/${id}`);
    expect([elsewhere.status, elsewhere.body.error_code]).toEqual([404, 'TY.NOT_FOUND']);
    expect((await t.api.call('GET', '/v2/other-project/training-jobs')).body).toMatchObject({ count: 0, items: [] });
    expect((await t.api.call('DELETE', `${P}/training-jobs/${id}`)).status).toBe(202);

    const gone = await t.api.call('GET', `${P}/training-jobs/${id}`);
    expect(gone.status).toBe(404);
    expect(missingKeys(gone.body, fixture('error-response.keys.json'))).toEqual([]);
    expect(gone.body.error_code).toBe('TY.NOT_FOUND');
    const again = await t.api.call('POST', `${P}/training-jobs/${id}/actions`, fixture('terminate-request.json'));
    expect([again.status, again.body.error_code]).toEqual([404, 'TY.NOT_FOUND']);
    const badAction = await t.api.call('POST', `${P}/training-jobs/${id}/actions`, { action_type: 'reboot' });
    expect([badAction.status, badAction.body.error_code, badAction.body.error_details[0].path]).toEqual([400, 'TY.VALIDATION_FAILED', 'action_type']);
    const badProject = await t.api.call('GET', '/v2/Not%20A%20Project/training-jobs');
    expect([badProject.status, badProject.body.error_code, badProject.body.error_details[0].path]).toEqual([400, 'TY.VALIDATION_FAILED', 'project_id']);
    const unknownFlavor = await t.api.call('POST', `${P}/training-jobs`, { ...body, spec: { resource: { flavor_id: 'gpu.none' } } });
    expect([unknownFlavor.status, unknownFlavor.body.error_details[0].path]).toEqual([400, 'spec.resource.flavor_id']);
    const unknownField = await t.api.call('POST', `${P}/training-jobs`, { ...body, spec: { resource: { flavor_id: 'cpu.half', flavor_ref: 'x' } } });
    expect(unknownField.body.error_details).toEqual([expect.objectContaining({ path: 'spec.resource.flavor_ref', code: 'UNKNOWN_FIELD' })]);
  });

  it('serves the flavor catalogue and the preset engines in the reference shape', async () => {
    const flavors = (await t.api.call('GET', `${P}/training-job-flavors`)).body;
    expect(missingKeys(flavors, fixture('flavors-response.keys.json'))).toEqual([]);
    expect(flavors.flavors.map((f: any) => [f.flavor_id, f.flavor_type, f.max_num, f.attributes.pool])).toEqual([
      ['cpu.1u1g', 'CPU', 2, 'default'],
      ['cpu.half', 'CPU', 4096, 'default'],
    ]);
    expect((await t.api.call('GET', `${P}/training-job-flavors?flavor_type=GPU`)).body).toEqual({ total_count: 0, flavors: [] });
    const engines = (await t.api.call('GET', `${P}/training-job-engines`)).body;
    expect(missingKeys(engines, fixture('engines-response.keys.json'))).toEqual([]);
    expect(engines.items.map((e: any) => e.engine_id)).toContain('pytorch-2.1');
  });

  it('the native API takes a catalogue flavorId as well as an inline flavor, and refuses two different ones', async () => {
    const job = (flavor: object) => ({ kind: 'job', metadata: { name: 'native' }, algorithm: { command: 'true' }, spec: { resource: flavor } });
    const byId = await t.api.call('POST', '/v1/training-jobs', job({ flavorId: 'cpu.1u1g' }));
    expect(byId.status).toBe(201);
    expect(byId.body.spec.spec.resource).toMatchObject({ flavorId: 'cpu.1u1g', pool: 'default', flavor: { cpu: 1, memoryMiB: 1024 } });
    expect((await t.api.call('POST', '/v1/training-jobs', job({ flavor: { cpu: 0.5, memoryMiB: 128 } }))).status).toBe(201);
    const both = await t.api.call('POST', '/v1/training-jobs', job({ flavorId: 'cpu.1u1g', flavor: { cpu: 2, memoryMiB: 128 } }));
    expect([both.status, both.body.error.details[0]]).toEqual([400, expect.objectContaining({ path: 'spec.resource.flavor', code: 'CONFLICTING_FIELDS' })]);
    const unknown = await t.api.call('POST', '/v1/training-jobs', job({ flavorId: 'cpu.nope' }));
    expect([unknown.status, unknown.body.error.details[0].path]).toEqual([400, 'spec.resource.flavorId']);
  });

  describe("the guide's validation rules answer alike on both surfaces", () => {
    const native = () => ({ kind: 'job', metadata: { name: 'rules' } as any, algorithm: { command: 'true' } as any, spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 128 } } as any } as any });
    const v2 = () => ({ kind: 'job', metadata: { name: 'rules' } as any, algorithm: { command: 'true' } as any, spec: { resource: { flavor_id: 'cpu.half' } as any } as any });
    const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
    // [rule, what, change the native document, change the v2 document]
    const CASES: [string, string, (d: any) => void, (d: any) => void][] = [
      ['V1', 'name with a space', (d) => (d.metadata.name = 'bad name'), (d) => (d.metadata.name = 'bad name')],
      ['V1', 'name of 65 characters', (d) => (d.metadata.name = 'n'.repeat(65)), (d) => (d.metadata.name = 'n'.repeat(65))],
      ['V2', 'description with <>', (d) => (d.metadata.description = 'a <b>'), (d) => (d.metadata.description = 'a <b>')],
      ['V2', 'description of 257 characters', (d) => (d.metadata.description = '训'.repeat(257)), (d) => (d.metadata.description = '训'.repeat(257))],
      ['V4', 'preset framework without a code dir', (d) => (d.algorithm = { engine: { name: 'PyTorch', version: '2.1' }, bootFile: 'train.py' }), (d) => (d.algorithm = { engine: { engine_id: 'pytorch-2.1' }, boot_file: 'train.py' })],
      ['V4', 'boot file that is no .py', (d) => (d.algorithm = { engine: { name: 'PyTorch', version: '2.1' }, bootFile: 'train.sh', codeDir: '/srv/c' }), (d) => (d.algorithm = { engine: { engine_id: 'pytorch-2.1' }, boot_file: 'train.sh', code_dir: '/srv/c' })],
      ['V5', 'command and boot file', (d) => Object.assign(d.algorithm, { engine: { name: 'PyTorch', version: '2.1' }, bootFile: 'a.py', codeDir: '/srv/c' }), (d) => Object.assign(d.algorithm, { engine: { engine_id: 'pytorch-2.1' }, boot_file: 'a.py', code_dir: '/srv/c' })],
      ['V5', 'neither command nor boot file', (d) => (d.algorithm = { codeDir: '/srv/c' }), (d) => (d.algorithm = { code_dir: '/srv/c' })],
      ['V6', 'user id 70000', (d) => (d.algorithm.userId = 70000), (d) => (d.algorithm.user_id = 70000)],
      ['V8', 'relative working dir', (d) => (d.algorithm.workingDir = 'code'), (d) => (d.algorithm.working_dir = 'code')],
      ['V10', 'input named like a parameter', (d) => Object.assign(d.algorithm, { parameters: [{ name: 'data', value: '1' }], inputs: [{ name: 'data', path: '/srv/d' }] }), (d) => Object.assign(d.algorithm, { parameters: [{ name: 'data', value: '1' }], inputs: [{ name: 'data', remote: { obs: { obs_url: '/srv/d' } } }] })],
      ['V12', '101 hyperparameters', (d) => (d.algorithm.parameters = many(101, (i) => ({ name: `p${i}`, value: '1' }))), (d) => (d.algorithm.parameters = many(101, (i) => ({ name: `p${i}`, value: '1' })))],
      ['V12', 'a custom MA_ variable', (d) => (d.algorithm.environments = { MA_SECRET: '1' }), (d) => (d.algorithm.environments = { MA_SECRET: '1' })],
      ['V14', '3 instances in groups of 2', (d) => Object.assign(d.spec.resource, { nodeCount: 3, affinityGroupSize: 2 }), (d) => { d.spec.resource.node_count = 3; d.spec.schedule_policy = { required_affinity: { affinity_group_size: 2 } }; }],
      ['V14', '0 instances', (d) => (d.spec.resource.nodeCount = 0), (d) => (d.spec.resource.node_count = 0)],
      ['V15', 'priority 4', (d) => (d.spec.priority = 4), (d) => (d.spec.schedule_policy = { priority: 4 })],
      ['V16', 'preemptible "yes"', (d) => (d.spec.preemptible = 'yes'), (d) => (d.spec.schedule_policy = { preemptible: 'yes' })],
      ['V17', 'auto stop after 721 hours', (d) => (d.spec.maxRunHours = 721), (d) => (d.spec.max_run_hours = 721)],
      ['V18', 'hang retry without auto restart', (d) => (d.metadata.annotations = { 'fault-tolerance/hang-retry': 'false' }), (d) => (d.metadata.annotations = { 'fault-tolerance/hang-retry': 'false' })],
      ['V22', '21 tags', (d) => (d.metadata.tags = many(21, (i) => ({ key: `k${i}`, value: '' }))), (d) => (d.metadata.tags = many(21, (i) => ({ key: `k${i}`, value: '' })))],
      ['V22', 'two tags with one key', (d) => (d.metadata.tags = [{ key: 'a', value: '1' }, { key: 'a', value: '2' }]), (d) => (d.metadata.tags = [{ key: 'a', value: '1' }, { key: 'a', value: '2' }])],
    ];

    it.each(CASES)('%s: %s', async (rule, _what, onNative, onV2) => {
      const n = native();
      onNative(n);
      const w = v2();
      onV2(w);
      const [r1, r2] = await Promise.all([t.api.call('POST', '/v1/training-jobs', n), t.api.call('POST', `${P}/training-jobs`, w)]);
      expect(r1.status).toBe(400);
      expect(r2.status).toBe(400);
      const v1Errors = r1.body.error.details.map((e: any) => ({ path: toV2Path(e.path), code: e.code, rule: e.rule }));
      const v2Errors = r2.body.error_details.map((e: any) => ({ path: e.path, code: e.code, rule: e.rule }));
      expect(v1Errors.map((e: any) => e.rule)).toContain(rule);
      expect(v2Errors).toEqual(v1Errors);
      expect(r2.body.error_code).toBe(`TY.${r1.body.error.code}`);
    });
  });
});
