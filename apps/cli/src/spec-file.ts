import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { INPUT_LIMITS, storableInputErrors, type TrainingJobSpec } from '@trainyard/contracts';
import { parseAllDocuments } from 'yaml';
import { CliError } from './cli-error';

/**
 * Reads a job spec file (YAML or JSON) for `yard submit`. Checked here: that it is a text file the
 * API could take (UTF-8, no NUL byte, not over the API's body limit), that it holds one object of
 * plain JSON values, and the text rule (no U+0000 or unpaired surrogate in any string or key, as
 * `\u0000` escapes could still bring). Field rules belong to the API, which reports every offending
 * field at once.
 */
export async function loadSpecFile(file: string, cwd: string): Promise<TrainingJobSpec> {
  const absolute = path.resolve(cwd, file);
  let bytes: Buffer;
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) throw new CliError('SPEC_FILE_UNREADABLE', `cannot read ${file}: it is a directory`);
    if (info.size > INPUT_LIMITS.bodyBytes) {
      throw new CliError('SPEC_FILE_TOO_LARGE', `${file}: ${info.size} bytes; a job spec is at most ${INPUT_LIMITS.bodyBytes} bytes (the API's limit)`);
    }
    bytes = await readFile(absolute);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new CliError('SPEC_FILE_UNREADABLE', `cannot read ${file}: ${reason}`, undefined, { cause: err });
  }
  return resolveCodeDir(parseSpecText(decodeText(bytes, file), file), path.dirname(absolute));
}

/** The file's bytes as text: UTF-8 without NUL bytes, or a clear refusal (a binary file, another encoding). */
export function decodeText(bytes: Uint8Array, fileName: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw invalid(fileName, `not a text file (a NUL byte at offset ${nul}); expected YAML or JSON`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid(fileName, 'not UTF-8 text; save the spec as UTF-8');
  }
}

/** Parses the text of a spec file; `.json` files as JSON, anything else as YAML (which also reads JSON). */
export function parseSpecText(text: string, fileName: string): TrainingJobSpec {
  const value = fileName.toLowerCase().endsWith('.json') ? parseJson(text, fileName) : parseYaml(text, fileName);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(fileName, `expected a job spec object (kind, metadata, algorithm, spec), found ${describe(value)}`);
  }
  const notJson = firstNonJson(value, '');
  if (notJson) throw invalid(fileName, `${notJson.path || 'the document'}: ${notJson.what} is not a JSON value (quote it to make it a string)`);
  const unstorable = storableInputErrors(value);
  if (unstorable.length) {
    throw invalid(fileName, `holds text the API cannot take:\n${unstorable.map((e) => `  ${e.path}: ${e.message} (${e.code})`).join('\n')}`);
  }
  return value as TrainingJobSpec;
}

/** YAML can say things JSON cannot (`.inf`, `.nan`, `!!binary`, …): they would silently become null. */
function firstNonJson(v: unknown, at: string, depth = 0): { path: string; what: string } | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : { path: at, what: String(v) };
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v !== 'object') return { path: at, what: `a ${typeof v}` };
  // The API refuses deeper documents anyway; stop before recursion could hurt.
  if (depth > INPUT_LIMITS.maxDepth) return undefined;
  if (Array.isArray(v)) {
    for (const [i, item] of v.entries()) {
      const bad = firstNonJson(item, `${at}[${i}]`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return { path: at, what: `a ${(v as object).constructor?.name ?? 'non-plain'} value` };
  for (const [k, item] of Object.entries(v)) {
    const bad = firstNonJson(item, at ? `${at}.${k}` : k, depth + 1);
    if (bad) return bad;
  }
  return undefined;
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
  try {
    // Refuses alias bombs ("billion laughs": more than 100 alias expansions) among others.
    return doc.toJS();
  } catch (err) {
    throw invalid(fileName, `not usable YAML: ${(err as Error).message}`);
  }
}

const invalid = (fileName: string, message: string) => new CliError('SPEC_FILE_INVALID', `${fileName}: ${message}`);

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
