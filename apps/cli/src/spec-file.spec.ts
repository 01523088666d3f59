import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { INPUT_LIMITS, type TrainingJobSpec } from '@trainyard/contracts';
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

describe('spec file - values the API could not take', () => {
  it('refuses YAML values JSON cannot carry, naming where they are', () => {
    expect(codeOf(() => parseSpecText('kind: job\nspec: { resource: { flavor: { cpu: .inf } } }\n', 'a.yaml'))).toBe(
      'SPEC_FILE_INVALID: a.yaml: spec.resource.flavor.cpu: Infinity is not a JSON value (quote it to make it a string)',
    );
    expect(codeOf(() => parseSpecText('kind: job\nmetadata: { name: !!binary aGk= }\n', 'a.yaml'))).toMatch(/metadata.name: a (Buffer|Uint8Array) value is not a JSON value/);
  });

  it('refuses NUL and unpaired surrogates from escapes, with the field path and code', () => {
    expect(codeOf(() => parseSpecText('{"kind":"job","algorithm":{"command":"a\\u0000"}}', 'a.json'))).toMatch(/^SPEC_FILE_INVALID: a.json: holds text the API cannot take:\n  algorithm.command: .*\(INVALID_TEXT\)$/);
    expect(codeOf(() => parseSpecText('kind: job\nmetadata: { name: "x\\0" }\n', 'a.yaml'))).toMatch(/metadata.name: .*NUL/);
    expect(codeOf(() => parseSpecText('{"kind":"job","metadata":{"name":"\\ud800"}}', 'a.json'))).toMatch(/metadata.name: .*unpaired UTF-16 surrogate/);
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`), 'kind: job'].join('\n');
    expect(codeOf(() => parseSpecText(bomb, 'bomb.yaml'))).toMatch(/^SPEC_FILE_INVALID: bomb.yaml: not usable YAML: .*alias/i);
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

  it('refuses what is not a UTF-8 text file, a directory, and a file over the API body limit', async () => {
    await writeFile(path.join(dir, 'latin1.yaml'), Buffer.from('kind: job\nmetadata: { name: caf\xe9 }\n', 'latin1'));
    await expect(loadSpecFile('latin1.yaml', dir)).rejects.toMatchObject({ code: 'SPEC_FILE_INVALID', message: 'latin1.yaml: not UTF-8 text; save the spec as UTF-8' });
    await writeFile(path.join(dir, 'elf.json'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00]));
    await expect(loadSpecFile('elf.json', dir)).rejects.toMatchObject({ code: 'SPEC_FILE_INVALID', message: expect.stringContaining('not a text file (a NUL byte at offset 4)') });
    await expect(loadSpecFile('.', dir)).rejects.toMatchObject({ code: 'SPEC_FILE_UNREADABLE', message: 'cannot read .: it is a directory' });
    await writeFile(path.join(dir, 'huge.yaml'), `# ${'x'.repeat(INPUT_LIMITS.bodyBytes)}\n`);
    await expect(loadSpecFile('huge.yaml', dir)).rejects.toMatchObject({ code: 'SPEC_FILE_TOO_LARGE' });
  });

  it('reports a missing file as SPEC_FILE_UNREADABLE', async () => {
    await expect(loadSpecFile('nope.yaml', dir)).rejects.toMatchObject({ code: 'SPEC_FILE_UNREADABLE', message: 'cannot read nope.yaml: no such file' });
  });
});
