import { parse } from 'yaml';
import { CliError, ExitCode } from './cli-error';

/**
 * `--set path=value` / `--unset path` of `yard copy`: pure edits of a job document. A path is keys
 * separated by dots, with `[n]` (or `.n`) for an array index and, in arrays of named items
 * (`algorithm.parameters`, inputs, outputs), the item's name: `algorithm.parameters.lr.value=0.01`.
 * A value keeps the type of the value it replaces when that is a string (`--set metadata.name=007`
 * stays text); otherwise it is read as YAML (`2`, `true`, `[a, b]`, `{cpu: 1, memoryMiB: 512}`).
 * Every refusal is a `SET_INVALID` error naming the path; it exits 2, like any bad option value.
 */
export interface Override {
  path: string[];
  /** The text after `=`; absent for `--unset`. */
  raw?: string;
}

/** Keys that would reach an object's prototype rather than a field of it. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);
const SEGMENT = /^[^.[\]=\s]{1,128}$/;

const invalid = (message: string) => new CliError('SET_INVALID', message, ExitCode.Usage);

/** `a.b[0].c` → `['a', 'b', '0', 'c']`, refusing empty segments and prototype keys. */
export function parsePath(text: string): string[] {
  const normal = text.replace(/\[(\d+)\]/g, '.$1');
  const parts = normal.split('.');
  if (text === '' || parts.some((p) => !SEGMENT.test(p))) {
    throw invalid(`${JSON.stringify(text)} is not a field path (expected keys separated by dots, e.g. spec.priority or algorithm.parameters[0].value)`);
  }
  const bad = parts.find((p) => FORBIDDEN_KEYS.has(p));
  if (bad) throw invalid(`${text}: ${bad} is not a field`);
  return parts;
}

/** `spec.priority=2` → the override; the first `=` separates path and value, so values may hold `=`. */
export function parseAssignment(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw invalid(`--set ${JSON.stringify(text)}: expected path=value, e.g. spec.priority=2`);
  return { path: parsePath(text.slice(0, eq)), raw: text.slice(eq + 1) };
}

/** The value `raw` stands for where `current` is: a string stays a string, else YAML. */
export function overrideValue(raw: string, current: unknown, at: string): unknown {
  if (typeof current === 'string') return raw;
  try {
    return parse(raw, { version: '1.2', maxAliasCount: 0 }) ?? null;
  } catch (err) {
    throw invalid(`--set ${at}=${raw}: not a YAML value (${(err as Error).message.split('\n')[0]})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `doc` with every override applied in order (later ones win); `doc` is not changed. Missing object
 * fields are created; an index may append (`[length]`) but not leave a hole.
 */
export function applyOverrides<T>(doc: T, overrides: readonly Override[]): T {
  let out: unknown = structuredClone(doc);
  for (const o of overrides) out = applyOne(out, o);
  return out as T;
}

function applyOne(root: unknown, o: Override): unknown {
  const at = o.path.join('.');
  if (!isObject(root)) throw invalid(`${at}: the document is not an object`);
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < o.path.length; i++) {
    const here = o.path.slice(0, i).join('.') || 'the document';
    const key = slot(node, o.path[i], here, at, o.raw === undefined);
    if (key === undefined) return root; // --unset of something absent: nothing to do
    const last = i === o.path.length - 1;
    const current = (node as Record<string | number, unknown>)[key];
    if (last) {
      if (o.raw === undefined) {
        if (Array.isArray(node)) node.splice(key as number, 1);
        else delete node[key as string];
      } else {
        (node as Record<string | number, unknown>)[key] = overrideValue(o.raw, current, at);
      }
      return root;
    }
    if (current === undefined) {
      if (o.raw === undefined) return root;
      (node as Record<string | number, unknown>)[key] = /^\d+$/.test(o.path[i + 1]) ? [] : {};
    } else if (current === null || typeof current !== 'object') {
      throw invalid(`${at}: ${o.path.slice(0, i + 1).join('.')} is ${JSON.stringify(current)}, not an object or a list`);
    }
    node = (node as Record<string | number, unknown>)[key] as Record<string, unknown> | unknown[];
  }
  return root;
}

/** The key or index `segment` names in `node`; undefined for an absent one when only removing. */
function slot(node: Record<string, unknown> | unknown[], segment: string, here: string, at: string, removing: boolean): string | number | undefined {
  if (!Array.isArray(node)) return segment;
  if (/^\d+$/.test(segment)) {
    const index = Number(segment);
    if (index < node.length) return index;
    if (removing) return undefined;
    if (index === node.length) return index;
    throw invalid(`${at}: ${here} has ${node.length} item(s); index ${index} would leave a gap (use ${node.length} to append)`);
  }
  const named = node.findIndex((item) => isObject(item) && item.name === segment);
  if (named >= 0) return named;
  if (removing) return undefined;
  const names = node.filter(isObject).map((item) => item.name).filter((n) => typeof n === 'string');
  throw invalid(`${at}: ${here} is a list${names.length ? ` of ${names.join(', ')}` : ''}; name an item by index or by its name`);
}
