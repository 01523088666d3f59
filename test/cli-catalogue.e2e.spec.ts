import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildOnce, yard } from './support/processes';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * The CLI of issue 18 against a whole cluster: `-o json|yaml|wide`, the flavor catalogue
 * (`yard flavors`), `yard copy --set` (checked like submit), `yard edit`, `yard jobs --tag` and
 * `yard experiment`. The hello example runs twice — once as submitted, once as a copy with another
 * learning rate — and the experiment compares the two runs' final loss.
 */
describe('yard CLI - output formats, flavors, copy, tags and experiments', () => {
  let t: TestCluster;
  let api: string;
  let first: string;
  const run = (...args: string[]) => yard(args, api);
  const json = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    buildOnce();
    t = await startTestCluster();
    api = t.api.url;
    // submit takes --set like copy: the file's description (two workers) becomes another.
    const submitted = await run('submit', 'examples/hello/job.yaml', '--set', 'metadata.description=the baseline');
    expect(submitted.code, submitted.stderr).toBe(0);
    first = submitted.stdout.trim();
    await t.api.waitFor(first, 'completed');
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('submit --set - the file with overrides; the API checks the result and names the field', async () => {
    expect((await t.api.call('GET', `/v1/training-jobs/${first}`)).body.description).toBe('the baseline');
    const bad = await run('submit', 'examples/hello/job.yaml', '--set', 'spec.resource.nodeCount=0');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ {2}spec\.resource\.nodeCount: /m);
  });

  it('flavors - operators define, list (table, wide, json, yaml) and delete catalogue flavors', async () => {
    const set = await run('flavors', 'set', 'cpu.half', '--cpu', '0.5', '--memory', '256', '--name', 'half a core', '--max-nodes', '2');
    expect(set).toMatchObject({ code: 0, stdout: 'flavor cpu.half in pool default: 0.5 CPU, 256 MiB, at most 2 nodes\n', stderr: '' });
    expect((await run('flavors', 'set', 'gpu.t4.1', '--pool', 'gpu', '--cpu', '4', '--memory', '16384', '--gpu', '1', '--accelerator', 'nvidia-t4')).code).toBe(0);

    const table = (await run('flavors')).stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(table).toEqual([
      ['POOL', 'FLAVOR', 'NAME', 'CPU', 'MEMORY (MiB)', 'GPU', 'NPU'],
      ['default', 'cpu.half', 'half a core', '0.5', '256', '0', '0'],
      ['gpu', 'gpu.t4.1', '-', '4', '16384', '1', '0'],
    ]);
    expect((await run('flavors', 'list', '-o', 'wide', '--pool', 'gpu')).stdout).toMatch(/ACCELERATOR\s+MAX NODES\n.*nvidia-t4\s+-\n$/);
    // json and yaml are the API's answer, the same document.
    const asJson = await json('flavors', '-o', 'json');
    expect(asJson).toEqual((await t.api.call('GET', '/v1/flavors')).body);
    expect(parse((await run('flavors', '-o', 'yaml')).stdout)).toEqual(asJson);
    expect(asJson.items.find((f: any) => f.id === 'gpu.t4.1')).toEqual({ id: 'gpu.t4.1', pool: 'gpu', name: 'gpu.t4.1', flavor: { cpu: 4, memoryMiB: 16384, gpu: 1, acceleratorType: 'nvidia-t4' } });

    expect((await run('flavors', 'delete', 'gpu.t4.1', '--pool', 'gpu')).stdout).toBe('flavor gpu.t4.1 removed from pool gpu.\n');
    expect((await json('flavors', '--json')).items.map((f: any) => f.id)).toEqual(['cpu.half']);
    const gone = await run('flavors', 'delete', 'gpu.t4.1', '--pool', 'gpu');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error NOT_FOUND: pool gpu has no flavor gpu\.t4\.1/);
    // Bad values are usage errors before any request, naming the option or argument.
    const badId = await run('flavors', 'set', 'no spaces', '--cpu', '1', '--memory', '1');
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/^error USAGE: .*'id'.*flavor id/);
    const badCpu = await run('flavors', 'set', 'cpu.x', '--cpu', '0', '--memory', '1');
    expect(badCpu.code).toBe(2);
    expect(badCpu.stderr).toMatch(/--cpu.*number > 0/);
  });

  it('copy - a new job from an existing one with overrides, resolved and run like a submit', async () => {
    const copied = await run('copy', first, '--set', 'algorithm.parameters.lr.value=0.5', '--set', 'spec.priority=2', '--set', 'spec.resource.flavorId=cpu.half', '--unset', 'spec.resource.flavor', '--set', 'metadata.name=hello-lr05');
    expect(copied.stderr).toBe('');
    expect(copied.code).toBe(0);
    const id = copied.stdout.trim();
    expect(id).not.toBe(first);
    const job = await t.api.waitFor(id, 'completed');
    expect(job).toMatchObject({ name: 'hello-lr05', priority: 2 });
    expect(job.spec.spec.resource).toMatchObject({ flavorId: 'cpu.half', flavor: { cpu: 0.5, memoryMiB: 256 }, pool: 'default', nodeCount: 2 });
    expect(job.spec.algorithm.parameters).toEqual([{ name: 'epochs', value: '3' }, { name: 'lr', value: '0.5' }]);
    // The override reached the run: three epochs at lr 0.5 leave a loss of 0.5^3.
    const log = (await t.api.call('GET', `/v1/training-jobs/${id}/tasks/worker-0/logs`)).body.items.map((l: any) => l.text);
    expect(log).toContain('epoch=2 loss=0.1250');

    // --print shows the spec it would submit, --dry-run where it would run; neither submits.
    const before = (await t.api.call('GET', '/v1/training-jobs')).body.total;
    const printed = await run('copy', first, '--set', 'spec.resource.nodeCount=1', '--print');
    expect(printed.code).toBe(0);
    expect(parse(printed.stdout)).toMatchObject({ kind: 'job', metadata: { name: 'hello' }, spec: { resource: { nodeCount: 1 } } });
    expect(JSON.parse((await run('copy', first, '--print', '-o', 'json')).stdout).spec.resource.nodeCount).toBe(2);
    const dry = await run('copy', first, '--set', 'spec.resource.nodeCount=3', '--dry-run', '-o', 'json');
    expect(dry.code, dry.stderr).toBe(0);
    // Three half-core instances fit the two idle 2-core nodes now.
    expect(JSON.parse(dry.stdout)).toMatchObject({ placed: true, pool: 'default', project: 'default' });
    expect(JSON.parse(dry.stdout).placements.map((p: any) => p.task)).toEqual(['worker-0', 'worker-1', 'worker-2']);

    // Checked like submit, before anything is sent: the error names each field with its code and rule.
    const typo = await run('copy', first, '--set', 'spec.priorty=2', '--set', 'metadata.name=has spaces');
    expect(typo.code).toBe(1);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toMatch(new RegExp(`^error VALIDATION_FAILED: the copy of job ${first} has 2 error\\(s\\)\\n`));
    expect(typo.stderr).toMatch(/^ {2}spec\.priorty: .*\(UNKNOWN_FIELD\)/m);
    expect(typo.stderr).toMatch(/^ {2}metadata\.name: .*\[V1\]$/m);
    const syntax = await run('copy', first, '--set', 'spec.priority');
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/^error SET_INVALID: --set "spec.priority": expected path=value/);
    const gap = await run('copy', first, '--set', 'algorithm.parameters.batch.value=8');
    expect(gap.code).toBe(2);
    expect(gap.stderr).toMatch(/algorithm\.parameters is a list of epochs, lr/);
    // Unknown catalogue ids are the API's to refuse, at the field.
    const unknown = await run('copy', first, '--set', 'spec.resource.flavorId=cpu.none');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^ {2}spec\.resource\.flavorId: pool default has no flavor cpu\.none/m);
    expect((await t.api.call('GET', '/v1/training-jobs')).body.total).toBe(before);
  });

  it('edit, jobs --tag and experiments - tags and experiment after creation, filtered and compared side by side', async () => {
    const second = (await json('jobs', '-o', 'json', '--name', 'hello-lr05')).items[0].id;
    const edited = await run('edit', first, '--description', 'first run', '--tag', 'team=vision,stage=baseline', '--experiment', 'lr-sweep');
    expect(edited).toMatchObject({ code: 0, stdout: `job ${first} updated.\n` });
    expect((await run('experiment', 'add', 'lr-sweep', second)).stdout).toBe(`job ${second} joined experiment lr-sweep.\n`);
    expect((await run('edit', second, '--tag', 'team=audio')).code).toBe(0);

    expect((await json('jobs', '--tag', 'team=vision', '-o', 'json')).items.map((j: any) => j.id)).toEqual([first]);
    expect((await json('jobs', '--tag', 'team', '-o', 'json')).items.map((j: any) => j.id).sort()).toEqual([first, second].sort());
    expect((await json('jobs', '--tag', 'team=nobody', '-o', 'json')).items).toEqual([]);
    const wide = (await run('jobs', '-o', 'wide', '--tag', 'stage=baseline')).stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(wide[0].slice(8)).toEqual(['PROJECT', 'EXPERIMENT', 'TAGS', 'DESCRIPTION']);
    expect(wide.slice(1).map((r) => [r[0], ...r.slice(8)])).toEqual([[first, 'default', 'lr-sweep', 'team=vision,stage=baseline', 'first run']]);
    const described = (await run('describe', first)).stdout;
    expect(described).toMatch(/^Tags: +team=vision,stage=baseline$/m);
    expect(described).toMatch(/^Experiment: +lr-sweep$/m);

    const cmp = await json('experiment', 'show', 'lr-sweep', '-o', 'json');
    expect(cmp).toEqual((await t.api.call('GET', '/v1/experiments/lr-sweep')).body);
    expect(cmp.parameters).toEqual(['epochs', 'lr']);
    const table = (await run('experiment', 'show', 'lr-sweep')).stdout.split('\n');
    expect(table[0]).toMatch(/^Experiment lr-sweep: 2 job\(s\); parameters epochs, lr; final metrics .*loss/);
    const rows = table.slice(2, -1).map((l) => l.split(/\s{2,}/));
    const col = (name: string) => rows[0].indexOf(name);
    const byId = Object.fromEntries(rows.slice(1).map((r) => [r[0], { lr: r[col('lr')], loss: r[col('loss')] }]));
    expect(byId).toEqual({ [first]: { lr: '0.1', loss: '0.729' }, [second]: { lr: '0.5', loss: '0.125' } });
    expect((await json('experiment', 'jobs', 'lr-sweep', '--json')).items.map((j: any) => j.id).sort()).toEqual([first, second].sort());
    const listed = await json('experiment', 'list', '-o', 'json');
    expect(listed).toEqual((await t.api.call('GET', '/v1/experiments')).body);
    expect(listed.items.map((e: any) => [e.experiment, e.jobs])).toEqual([['lr-sweep', 2]]);
    expect((await run('experiment')).stdout).toMatch(/^EXPERIMENT\s+JOBS\s+LAST JOB\nlr-sweep\s+2\s+\S+\n$/);

    expect((await run('experiment', 'remove', second)).stdout).toBe(`job ${second} left its experiment.\n`);
    expect((await json('jobs', '--experiment', 'lr-sweep', '-o', 'json')).items.map((j: any) => j.id)).toEqual([first]);
    expect((await json('experiment', 'list', '-o', 'json')).items.map((e: any) => [e.experiment, e.jobs])).toEqual([['lr-sweep', 1]]);
    // The API's rules hold for edits too: V22 unique tag keys, named by the field.
    const dup = await run('edit', first, '--tag', 'a=1', '--tag', 'a=2');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^ {2}tags\[1\]\.key: .*\(DUPLICATE\) \[V22\]$/m);
    expect((await run('edit', first)).code).toBe(2);
  });

  it('-o - json is the API answer for listings and describe, yaml the same document, --json a synonym; a conflict is refused', async () => {
    const jobs = await json('jobs', '-o', 'json');
    expect(jobs).toEqual((await t.api.call('GET', '/v1/training-jobs')).body);
    expect(await json('jobs', '--json')).toEqual(jobs);
    expect(parse((await run('jobs', '-o', 'yaml')).stdout)).toEqual(jobs);
    const described = await json('describe', first, '-o', 'json');
    expect(described).toMatchObject({ id: first, state: 'completed', experiment: 'lr-sweep' });
    expect(parse((await run('describe', first, '-o', 'yaml')).stdout)).toEqual(described);
    expect((await json('nodes', '-o', 'json')).items.map((n: any) => n.id).sort()).toEqual(['node-1', 'node-2']);
    const nodesWide = (await run('nodes', '-o', 'wide')).stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(nodesWide[0].slice(9, 12)).toEqual(['AVAILABILITY', 'ISOLATION', 'USED']);
    expect(nodesWide.slice(1).map((r) => [r[0], r[9], r[10]]).sort()).toEqual([['node-1', 'in service', '-'], ['node-2', 'in service', '-']]);
    // Streams in json are one JSON document per line.
    const lines = (await run('logs', first, '--task', 'worker-0', '-o', 'json')).stdout;
    expect(JSON.parse(lines).items.some((l: any) => l.text === 'done')).toBe(true);

    const conflict = await run('jobs', '--json', '-o', 'yaml');
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/^error USAGE: --json and -o yaml/);
    const bad = await run('jobs', '-o', 'xml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected one of table, wide, json, yaml/);
  });
});
