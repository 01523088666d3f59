import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { UsageError } from './cli-error';

/**
 * The CLI's contexts, like a kubeconfig (issue 11): `~/.config/trainyard/config.yaml` (or
 * `$XDG_CONFIG_HOME/trainyard/config.yaml`, or `$TY_CONFIG`), each context an API URL, a token and
 * optionally the CA that signed the API's certificate. Written with mode 0600: it holds tokens.
 *
 * @example
 * ```yaml
 * current-context: local
 * contexts:
 *   local: { api: http://127.0.0.1:8080, token: tyt_… }
 *   prod: { api: https://trainyard.example:8443, token: tyt_…, ca: /etc/trainyard/ca.pem }
 * ```
 */
export interface CliContext {
  api: string;
  token?: string;
  ca?: string;
}

export interface CliConfig {
  'current-context'?: string;
  contexts: Record<string, CliContext>;
}

/** Where the config lives for these environment variables, or undefined when there is no home. */
export function configPath(vars: Record<string, string | undefined>): string | undefined {
  if (vars.TY_CONFIG) return vars.TY_CONFIG;
  const base = vars.XDG_CONFIG_HOME || (vars.HOME ? join(vars.HOME, '.config') : undefined);
  return base ? join(base, 'trainyard', 'config.yaml') : undefined;
}

export function readConfig(path: string | undefined): CliConfig {
  if (!path || !existsSync(path)) return { contexts: {} };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path} is not YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return { contexts: {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${path}: expected a mapping with contexts`);
  const d = doc as Record<string, unknown>;
  const contexts: Record<string, CliContext> = {};
  for (const [name, c] of Object.entries((d.contexts as Record<string, unknown>) ?? {})) {
    const x = c as Record<string, unknown> | null;
    if (!x || typeof x.api !== 'string') throw new UsageError(`${path}: context ${name} needs an api URL`);
    contexts[name] = { api: x.api, ...(typeof x.token === 'string' ? { token: x.token } : {}), ...(typeof x.ca === 'string' ? { ca: x.ca } : {}) };
  }
  return { ...(typeof d['current-context'] === 'string' ? { 'current-context': d['current-context'] } : {}), contexts };
}

/** Adds or replaces context `name` (and makes it current when asked or when none is); atomic, 0600. */
export function saveContext(path: string, name: string, context: CliContext, makeCurrent = true): void {
  const config = readConfig(path);
  config.contexts[name] = context;
  if (makeCurrent || !config['current-context']) config['current-context'] = name;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, stringify(config), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The context in effect: `--context`, else `TY_CONTEXT`, else the current one (or none). */
export function activeContext(config: CliConfig, flag: string | undefined, vars: Record<string, string | undefined>): { name: string; context: CliContext } | undefined {
  const name = flag || vars.TY_CONTEXT || config['current-context'];
  if (!name) return undefined;
  const context = config.contexts[name];
  if (!context) {
    if (flag || vars.TY_CONTEXT) throw new UsageError(`no context ${JSON.stringify(name)} in the CLI config (yard login --context ${name} …)`);
    return undefined;
  }
  return { name, context };
}
