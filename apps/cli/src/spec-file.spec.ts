import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TrainingJobSpec } from '@trainyard/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from './cli-error';
import { loadSpecFile, parseSpecText, resolveCodeDir } from './spec-file';

const YAML_SPEC = `
kind: job
metadata: { name: hello, annotations: { fault-tolerance/job-retry-num: "3" } }
algorithm:
  command: python3 \${MA_JOB_DIR}/hello/train.py
  codeDir: ./code/hello
  parameters: [{ name: epochs, value: "2" }]
spec:
  resource: { pool: default, flavor: { cpu: 0.5, memoryMiB: 256 }, nodeCount: 2 }
`;

const spec = (codeDir?: string): TrainingJobSpec => ({
  kind: 'job',
  metadata: { name: 'x' },
  algorithm: { command: 'true', ...(codeDir === undefined ? {} : { codeDir }) },
  spec: { resource: { flavor: { cpu: 1, memoryMiB: 64 } } },
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CliError ? `${err.code}: ${err.message}` : String(err);
  }
  return undefined;
}

describe('spec file - parsing', () => {
  it('reads YAML, keeping quoted numbers as strings', () => {
    const parsed = parseSpecText(YAML_SPEC, 'job.yaml');
    expect(parsed.metadata.annotations).toEqual({ 'fault-tolerance/job-retry-num': '3' });
    expect(parsed.algorithm.command).toBe('python3 ${MA_JOB_DIR}/hello/train.py');
    expect(parsed.spec.resource.flavor.cpu).toBe(0.5);
  });

  it('reads JSON from a .json file, and JSON content from a .yaml file', () => {
    const json = JSON.stringify(spec('/abs'));
    expect(parseSpecText(json, 'job.JSON')).toEqual(spec('/abs'));
    expect(parseSpecText(json, 'job.yaml')).toEqual(spec('/abs'));
  });

  it('rejects invalid JSON and YAML with the file name', () => {
    expect(codeOf(() => parseSpecText('{"kind": ', 'job.json'))).toMatch(/^SPEC_FILE_INVALID: job.json: not valid JSON/);
    expect(codeOf(() => parseSpecText('kind: job\n  metadata: [', 'job.yml'))).toMatch(/^SPEC_FILE_INVALID: job.yml: not valid YAML/);
  });

  it('rejects empty files, lists, scalars and several documents', () => {
    expect(codeOf(() => parseSpecText('', 'a.yaml'))).toMatch(/the file is empty/);
    expect(codeOf(() => parseSpecText('# only a comment\n', 'a.yaml'))).toMatch(/the file is empty/);
    expect(codeOf(() => parseSpecText('- a\n- b\n', 'a.yaml'))).toMatch(/found a list/);
    expect(codeOf(() => parseSpecText('42', 'a.json'))).toMatch(/found a number/);
    expect(codeOf(() => parseSpecText('kind: job\n---\nkind: job\n', 'a.yaml'))).toMatch(/holds 2 YAML documents/);
  });
});

describe('spec file - codeDir resolution', () => {
  it('resolves a relative codeDir against the spec directory', () => {
    expect(resolveCodeDir(spec('./code/hello'), '/srv/jobs').algorithm.codeDir).toBe('/srv/jobs/code/hello');
    expect(resolveCodeDir(spec('code'), '/srv/jobs').algorithm.codeDir).toBe('/srv/jobs/code');
    expect(resolveCodeDir(spec('../shared/code'), '/srv/jobs').algorithm.codeDir).toBe('/srv/shared/code');
  });

  it('leaves absolute paths, URLs and missing codeDirs alone', () => {
    expect(resolveCodeDir(spec('/opt/code'), '/srv/jobs').algorithm.codeDir).toBe('/opt/code');
    expect(resolveCodeDir(spec('s3://bucket/code'), '/srv/jobs').algorithm.codeDir).toBe('s3://bucket/code');
    expect(resolveCodeDir(spec(), '/srv/jobs').algorithm).toEqual({ command: 'true' });
  });

  it('does not modify the spec it was given', () => {
    const original = spec('code');
    resolveCodeDir(original, '/srv');
    expect(original.algorithm.codeDir).toBe('code');
  });
});

describe('spec file - loading from disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yard-spec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves codeDir against the file, not the working directory', async () => {
    await mkdir(path.join(dir, 'jobs'));
    await writeFile(path.join(dir, 'jobs', 'hello.yaml'), YAML_SPEC);
    const loaded = await loadSpecFile('jobs/hello.yaml', dir);
    expect(loaded.algorithm.codeDir).toBe(path.join(dir, 'jobs', 'code', 'hello'));
  });

  it('reports a missing file as SPEC_FILE_UNREADABLE', async () => {
    await expect(loadSpecFile('nope.yaml', dir)).rejects.toMatchObject({ code: 'SPEC_FILE_UNREADABLE', message: 'cannot read nope.yaml: no such file' });
  });
});
