import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainingJobSpec } from '@trainyard/contracts';
import { parseAllDocuments } from 'yaml';
import { CliError } from './cli-error';

/**
 * Reads a job spec file (YAML or JSON) for `yard submit`. Only the shape "one object" is checked here:
 * field rules belong to the API, which reports every offending field at once.
 */
export async function loadSpecFile(file: string, cwd: string): Promise<TrainingJobSpec> {
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new CliError('SPEC_FILE_UNREADABLE', `cannot read ${file}: ${reason}`, undefined, { cause: err });
  }
  return resolveCodeDir(parseSpecText(text, file), path.dirname(absolute));
}

/** Parses the text of a spec file; `.json` files as JSON, anything else as YAML (which also reads JSON). */
export function parseSpecText(text: string, fileName: string): TrainingJobSpec {
  const value = fileName.toLowerCase().endsWith('.json') ? parseJson(text, fileName) : parseYaml(text, fileName);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(fileName, `expected a job spec object (kind, metadata, algorithm, spec), found ${describe(value)}`);
  }
  return value as TrainingJobSpec;
}

/**
 * Makes a relative `algorithm.codeDir` absolute against the spec file's directory: the node agents that
 * copy the code run elsewhere, and "relative to where I typed the command" would depend on the shell's
 * cwd. Absolute paths and URLs (`s3://…`) pass through.
 */
export function resolveCodeDir(spec: TrainingJobSpec, specDir: string): TrainingJobSpec {
  const codeDir = spec.algorithm?.codeDir;
  if (typeof codeDir !== 'string' || codeDir === '' || path.isAbsolute(codeDir) || /^[a-z][a-z0-9+.-]*:\/\//i.test(codeDir)) {
    return spec;
  }
  return { ...spec, algorithm: { ...spec.algorithm, codeDir: path.resolve(specDir, codeDir) } };
}

function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(fileName, `not valid JSON: ${(err as Error).message}`);
  }
}

function parseYaml(text: string, fileName: string): unknown {
  const docs = parseAllDocuments(text);
  if (docs.length === 0) throw invalid(fileName, 'the file is empty');
  if (docs.length > 1) throw invalid(fileName, `holds ${docs.length} YAML documents; submit one job per file`);
  const [doc] = docs;
  if (doc.errors.length > 0) throw invalid(fileName, `not valid YAML: ${doc.errors[0].message}`);
  return doc.toJS();
}

const invalid = (fileName: string, message: string) => new CliError('SPEC_FILE_INVALID', `${fileName}: ${message}`);

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
