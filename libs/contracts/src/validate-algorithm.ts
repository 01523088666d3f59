import { FieldCode } from './errors';
import { ALGORITHM_LIMITS } from './spec-limits';
import { ACCESS_METHODS, AlgorithmSchema, DataChannelSchema, LAUNCH_METHODS, ParameterSchema } from './job-spec';
import { isObjectUrl, parseObjectUrl } from './object-url';
import { HANG_DETECT_MINUTES_RANGE, MA_RUN_METHODS, USER_SETTABLE_MA_VARIABLES } from './platform-variables';
import {
  FieldErrors,
  PARAMETER_NAME,
  SHELL_IDENTIFIER,
  arrayAt,
  checkKnownKeys,
  enumAt,
  indexPath,
  integerAt,
  isRecord,
  keysOf,
  keyPath,
  objectAt,
  pathAt,
  stringAt,
  withinLength,
} from './validate-fields';

const ALGORITHM_KEYS = keysOf(AlgorithmSchema);


/** What later checks need from a valid-enough algorithm section. */
export interface AlgorithmFacts {
  hasImage: boolean;
}

/** Every field of `algorithm` (V4, V5, V6, V8, V10–V12). */
export function validateAlgorithm(value: unknown, e: FieldErrors): AlgorithmFacts {
  const alg = objectAt(value, 'algorithm', e, true);
  if (!alg) return { hasImage: false };
  checkKnownKeys(alg, ALGORITHM_KEYS, 'algorithm', e);

  stringAt(alg.command, 'algorithm.command', e, { nonEmpty: true, rule: 'V5', maxBytes: ALGORITHM_LIMITS.commandBytes });
  validateEngine(alg.engine, e);
  const codeDir = pathAt(alg.codeDir, 'algorithm.codeDir', e);
  if (codeDir !== undefined && isObjectUrl(codeDir) && !parseObjectUrl(codeDir)?.prefix) {
    e.add('algorithm.codeDir', FieldCode.InvalidFormat, 'an object-store code dir is s3://<bucket>/<dir>/, with a valid bucket name and a directory to name it by', 'V9');
  }
  const bootFile = validateBootFile(alg.bootFile, codeDir, e);
  const image = stringAt(alg.image, 'algorithm.image', e, { nonEmpty: true, maxBytes: ALGORITHM_LIMITS.imageBytes });
  if (image !== undefined && /\s/.test(image)) e.add('algorithm.image', FieldCode.InvalidFormat, 'image reference must not contain whitespace');
  const launchMethod = enumAt(alg.launchMethod, 'algorithm.launchMethod', LAUNCH_METHODS, e);
  integerAt(alg.processesPerNode, 'algorithm.processesPerNode', e, { min: 1, max: ALGORITHM_LIMITS.processesPerNode });
  integerAt(alg.userId, 'algorithm.userId', e, { min: 0, max: 65535, rule: 'V6' });
  validateWorkingDir(alg.workingDir, bootFile, e);

  // V4/V5: exactly one boot mode. Presence decides the mode even when a value is malformed, so one
  // mistake is reported once (as its type error), not again as a missing mode.
  const custom = alg.command !== undefined;
  const preset = alg.engine !== undefined || alg.bootFile !== undefined;
  if (custom && preset) {
    e.add('algorithm.command', FieldCode.Conflict, 'command (custom boot mode) and engine/bootFile (preset framework) exclude each other', 'V5');
  } else if (!custom && !preset) {
    e.add('algorithm.command', FieldCode.Required, 'either command (custom boot mode) or engine and bootFile (preset framework) is required', 'V5');
  } else if (custom && launchMethod !== undefined && launchMethod !== 'custom') {
    // The guide's launchers start a boot file (ch01-03 §2): torchrun cannot run shell text.
    e.add('algorithm.launchMethod', FieldCode.Conflict, `launch method ${launchMethod} runs a boot file: use engine and bootFile (preset framework) instead of command`);
  } else if (preset) {
    if (alg.engine === undefined) e.add('algorithm.engine', FieldCode.Required, 'the preset framework needs engine', 'V4');
    if (alg.bootFile === undefined) e.add('algorithm.bootFile', FieldCode.Required, 'the preset framework needs bootFile', 'V4');
    if (alg.codeDir === undefined) e.add('algorithm.codeDir', FieldCode.Required, 'the preset framework needs codeDir', 'V4');
  }

  const parameterNames = validateParameters(alg.parameters, e);
  const environmentNames = validateEnvironments(alg.environments, e);
  validatePlatformVariables(alg.environments, launchMethod, e);
  const taken = new Map<string, string>(parameterNames);
  validateChannels(alg.inputs, 'algorithm.inputs', 'V10', taken, environmentNames, e);
  validateChannels(alg.outputs, 'algorithm.outputs', 'V11', taken, environmentNames, e);
  // Presence, not validity: a malformed image is reported once, as itself.
  return { hasImage: alg.image !== undefined };
}

function validateEngine(value: unknown, e: FieldErrors): void {
  const engine = objectAt(value, 'algorithm.engine', e, false);
  if (!engine) return;
  checkKnownKeys(engine, ['name', 'version'], 'algorithm.engine', e);
  const max = ALGORITHM_LIMITS.engineFieldLength;
  stringAt(engine.name, 'algorithm.engine.name', e, { required: true, nonEmpty: true, rule: 'V4', maxChars: max });
  stringAt(engine.version, 'algorithm.engine.version', e, { required: true, nonEmpty: true, rule: 'V4', maxChars: max });
}

const segments = (p: string) => p.split('/').filter((s) => s.length > 0);
const hasDotDot = (p: string) => segments(p).includes('..');
const trimSlash = (p: string) => p.replace(/\/+$/, '');

/** V4: a `.py` file inside codeDir (relative to it, or absolute below it). */
function validateBootFile(value: unknown, codeDir: string | undefined, e: FieldErrors): string | undefined {
  const path = 'algorithm.bootFile';
  const bootFile = pathAt(value, path, e, { rule: 'V4' });
  if (bootFile === undefined) return undefined;
  if (!bootFile.endsWith('.py')) e.add(path, FieldCode.InvalidFormat, 'bootFile must be a Python file ending in .py', 'V4');
  if (hasDotDot(bootFile)) e.add(path, FieldCode.InvalidFormat, 'bootFile must not contain ..', 'V4');
  else if (bootFile.startsWith('/') && codeDir !== undefined && codeDir.startsWith('/') && !bootFile.startsWith(`${trimSlash(codeDir)}/`)) {
    e.add(path, FieldCode.InvalidFormat, 'bootFile must be inside codeDir', 'V4');
  }
  return bootFile;
}

/** V8: an absolute, normalised path; an ancestor of the boot file's directory when that is known here. */
function validateWorkingDir(value: unknown, bootFile: string | undefined, e: FieldErrors): void {
  const path = 'algorithm.workingDir';
  const dir = pathAt(value, path, e, { rule: 'V8' });
  if (dir === undefined) return;
  if (!dir.startsWith('/') || hasDotDot(dir) || dir.includes('\0')) {
    e.add(path, FieldCode.InvalidFormat, 'workingDir must be an absolute path without ..', 'V8');
    return;
  }
  if (bootFile?.startsWith('/') && !hasDotDot(bootFile)) {
    const bootDir = segments(bootFile).slice(0, -1);
    const wd = segments(dir);
    if (wd.length > bootDir.length || wd.some((s, i) => s !== bootDir[i])) {
      e.add(path, FieldCode.InvalidFormat, "workingDir must be an ancestor of the boot file's directory", 'V8');
    }
  }
}

/** V12 hyperparameters; returns name → path of each valid, first-seen name. */
function validateParameters(value: unknown, e: FieldErrors): Map<string, string> {
  const names = new Map<string, string>();
  const list = arrayAt(value, 'algorithm.parameters', e);
  if (!list) return names;
  if (list.length > ALGORITHM_LIMITS.parameters) {
    e.add('algorithm.parameters', FieldCode.TooMany, `at most ${ALGORITHM_LIMITS.parameters} parameters (got ${list.length})`, 'V12');
    return names;
  }
  list.forEach((item, i) => {
    const at = indexPath('algorithm.parameters', i);
    const p = objectAt(item, at, e, true);
    if (!p) return;
    checkKnownKeys(p, keysOf(ParameterSchema), at, e);
    const name = parameterNameAt(p.name, `${at}.name`, e, 'V12');
    stringAt(p.value, `${at}.value`, e, { required: true, maxBytes: ALGORITHM_LIMITS.parameterValueBytes });
    if (name === undefined) return;
    const first = names.get(name);
    if (first) e.add(`${at}.name`, FieldCode.Duplicate, `parameter ${name} is already defined at ${first}`, 'V12');
    else names.set(name, `${at}.name`);
  });
  return names;
}

function parameterNameAt(value: unknown, path: string, e: FieldErrors, rule: string): string | undefined {
  const name = stringAt(value, path, e, { required: true, nonEmpty: true, rule });
  if (name === undefined) return undefined;
  if (name.length > ALGORITHM_LIMITS.parameterNameLength) {
    e.add(path, FieldCode.TooLong, `at most ${ALGORITHM_LIMITS.parameterNameLength} characters`, rule);
    return undefined;
  }
  if (!PARAMETER_NAME.test(name)) {
    e.add(path, FieldCode.InvalidFormat, 'only letters, digits, - and _', rule);
    return undefined;
  }
  return name;
}

/** V12 environment variables (L1673, L11962); returns the names. */
function validateEnvironments(value: unknown, e: FieldErrors): Set<string> {
  const path = 'algorithm.environments';
  const names = new Set<string>();
  if (value === undefined) return names;
  if (!isRecord(value)) {
    e.add(path, FieldCode.InvalidType, `${path} must be a map of strings`);
    return names;
  }
  const entries = Object.entries(value);
  if (entries.length > ALGORITHM_LIMITS.environments) {
    e.add(path, FieldCode.TooMany, `at most ${ALGORITHM_LIMITS.environments} environment variables (got ${entries.length})`, 'V12');
    return names;
  }
  for (const [name, v] of entries) {
    const at = keyPath(path, name);
    names.add(name);
    if (!withinLength(name, at, e, { maxChars: ALGORITHM_LIMITS.environmentNameLength, what: 'a variable name', rule: 'V12' })) continue;
    if (!SHELL_IDENTIFIER.test(name)) e.add(at, FieldCode.InvalidFormat, 'must be a shell identifier: [A-Za-z_][A-Za-z0-9_]*', 'V12');
    else if (name.startsWith('MA_') && !USER_SETTABLE.has(name)) {
      e.add(at, FieldCode.Forbidden, `MA_* names are reserved for the platform (L11962) except ${USER_SETTABLE_MA_VARIABLES.join(', ')}`, 'V12');
    }
    if (typeof v !== 'string') e.add(at, FieldCode.InvalidType, 'value must be a string', 'V12');
    else withinLength(v, at, e, { maxBytes: ALGORITHM_LIMITS.environmentValueBytes, what: 'a value', rule: 'V12' });
  }
  return names;
}

const USER_SETTABLE = new Set<string>(USER_SETTABLE_MA_VARIABLES);

/** Values of the `MA_*` knobs a job may set (`platform-variables.ts`); malformed ones would fail at launch. */
function validatePlatformVariables(value: unknown, launchMethod: string | undefined, e: FieldErrors): void {
  if (!isRecord(value)) return;
  const at = (name: string) => keyPath('algorithm.environments', name);
  const text = (name: string) => (typeof value[name] === 'string' ? (value[name] as string) : undefined);
  const integerIn = (name: string, min: number, max: number, source: string) => {
    const v = text(name);
    if (v === undefined) return;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) e.add(at(name), FieldCode.OutOfRange, `${name} must be an integer ${min}–${max} (${source})`, 'V12');
  };
  const runMethod = text('MA_RUN_METHOD');
  if (runMethod !== undefined) {
    if (!(MA_RUN_METHODS as readonly string[]).includes(runMethod)) {
      e.add(at('MA_RUN_METHOD'), FieldCode.InvalidFormat, `MA_RUN_METHOD must be one of ${MA_RUN_METHODS.join(', ')}, or unset for the rank table (L315-318)`, 'V12');
    } else if (launchMethod !== undefined && launchMethod !== 'custom' && launchMethod !== runMethod) {
      e.add(at('MA_RUN_METHOD'), FieldCode.Conflict, `MA_RUN_METHOD=${runMethod} contradicts launchMethod ${launchMethod}`, 'V12');
    }
  }
  integerIn('MA_TORCHRUN_MASTER_PORT', 1, 65535, 'L409-412');
  integerIn('MA_HANG_DETECT_TIME', HANG_DETECT_MINUTES_RANGE.min, HANG_DETECT_MINUTES_RANGE.max, 'minutes, L12522-12534');
  const grace = text('MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS');
  if (grace !== undefined && grace !== '-1' && !/^[1-9]\d{0,5}$/.test(grace)) {
    e.add(at('MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS'), FieldCode.OutOfRange, 'MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS must be -1 (off) or a positive integer of seconds (L8147-8155)', 'V12');
  }
  const skip = text('MA_SKIP_IMAGE_DETECT');
  if (skip !== undefined && skip !== '0' && skip !== '1') {
    e.add(at('MA_SKIP_IMAGE_DETECT'), FieldCode.InvalidFormat, 'MA_SKIP_IMAGE_DETECT must be 0 (pre-check off) or 1 (on) (L12501-12515)', 'V12');
  }
  const interpreter = text('MA_SCRIPT_INTERPRETER');
  if (interpreter !== undefined && interpreter.trim() === '') e.add(at('MA_SCRIPT_INTERPRETER'), FieldCode.Required, 'MA_SCRIPT_INTERPRETER must name a command', 'V12');
}

/**
 * V10/V11 data channels. A channel's name becomes `--name=<path>` or an env var, so it must not clash
 * with a hyperparameter, another channel, or (env method) a user environment variable.
 */
function validateChannels(
  value: unknown,
  path: string,
  rule: string,
  taken: Map<string, string>,
  environmentNames: Set<string>,
  e: FieldErrors,
): void {
  const list = arrayAt(value, path, e);
  if (!list) return;
  if (list.length > ALGORITHM_LIMITS.channels) return e.add(path, FieldCode.TooMany, `at most ${ALGORITHM_LIMITS.channels} channels (got ${list.length})`, rule);
  list.forEach((item, i) => {
    const at = indexPath(path, i);
    const ch = objectAt(item, at, e, true);
    if (!ch) return;
    // preDownload is an output's (V11): on an input it is an unknown field.
    checkKnownKeys(ch, keysOf(DataChannelSchema).filter((k) => rule === 'V11' || k !== 'preDownload'), at, e);
    const where = pathAt(ch.path, `${at}.path`, e, { required: true, rule });
    if (where !== undefined && isObjectUrl(where) && !parseObjectUrl(where)) {
      e.add(`${at}.path`, FieldCode.InvalidFormat, 'an object-store path is s3://<bucket>/<prefix>, with a valid bucket name and no . or .. segments', rule);
    }
    if (ch.preDownload !== undefined) {
      if (typeof ch.preDownload !== 'boolean') e.add(`${at}.preDownload`, FieldCode.InvalidType, 'preDownload must be a boolean', rule);
      else if (ch.preDownload && where !== undefined && !isObjectUrl(where)) {
        e.add(`${at}.preDownload`, FieldCode.Forbidden, 'preDownload applies to object-store outputs (a local or shared path is there already)', rule);
      }
    }
    const method = enumAt(ch.accessMethod, `${at}.accessMethod`, ACCESS_METHODS, e, rule) ?? 'parameter';
    const name = parameterNameAt(ch.name, `${at}.name`, e, rule);
    if (name === undefined) return;
    if (method === 'env') {
      if (!SHELL_IDENTIFIER.test(name)) return e.add(`${at}.name`, FieldCode.InvalidFormat, 'an env-method channel name must be a shell identifier', rule);
      if (name.startsWith('MA_')) return e.add(`${at}.name`, FieldCode.Forbidden, 'MA_* names are reserved for the platform (L11962)', rule);
      if (environmentNames.has(name)) return e.add(`${at}.name`, FieldCode.Duplicate, `${name} is also set in algorithm.environments`, rule);
    }
    const first = taken.get(name);
    if (first) e.add(`${at}.name`, FieldCode.Duplicate, `${name} is already used at ${first}`, rule);
    else taken.set(name, `${at}.name`);
  });
}
