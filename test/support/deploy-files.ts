import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Streams } from '@trainyard/contracts';

/** The repository root (tests run from it). */
export const ROOT = join(__dirname, '..', '..');

/** Every file under `dir` (relative to the root) whose name passes `keep`. */
export function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (name === 'node_modules' || name === 'dist') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (keep(name)) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
}

// JetStream objects named TY_*: never environment variables.
const NOT_VARIABLES = new Set<string>([...Object.values(Streams), 'TY_LEADER']);

/**
 * The TY_* variables the code reads: names in its non-test sources that are accessed as a property
 * (`env.TY_X`, `process.env.TY_X`) or given as a key (`'TY_X'`, `env['TY_X']`), less the JetStream
 * names that share the prefix.
 */
export function variablesTheCodeReads(): Set<string> {
  const names = new Set<string>();
  for (const file of [...filesUnder('apps', isSource), ...filesUnder('libs', isSource)]) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(?:\.|\[\s*['"`]|['"`])(TY_[A-Z0-9_]*[A-Z0-9])\b/g)) if (!NOT_VARIABLES.has(m[1]!)) names.add(m[1]!);
  }
  return names;
}

const isSource = (name: string) => /\.(ts|tsx|mts)$/.test(name) && !/\.spec\.ts$|\.fixture\.ts$/.test(name);

/** `KEY=value` lines of an environment file (systemd's EnvironmentFile, compose's .env). */
export function envFileKeys(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('=')[0]!.trim());
}

/** A systemd unit's `Key=value` settings per section, repeated keys kept in order. */
export function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) sections.set(s[1]!, (current = new Map()));
    else if (current) {
      const i = line.indexOf('=');
      const key = line.slice(0, i).trim();
      current.set(key, [...(current.get(key) ?? []), line.slice(i + 1).trim()]);
    }
  }
  return sections;
}

/** `dist/apps/<app>/src/main.js` in a command → the app, when its source entry point exists. */
export function entryPointApp(command: string): string | undefined {
  return /dist\/apps\/([a-z-]+)\/src\/main\.js/.exec(command)?.[1];
}

/** The TY_* (and other) names a Kubernetes object's containers set, with the containers themselves. */
export function podContainers(obj: any): any[] {
  const spec = obj?.spec?.template?.spec;
  return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : [];
}

/** Whether `labels` satisfy a label selector (matchLabels and the In operator of matchExpressions). */
export function selects(selector: any, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector?.matchExpressions ?? []).every((e: any) => e.operator === 'In' && e.values.includes(labels[e.key]));
  return byLabels && byExpressions;
}

/** The apps that run as a service or the agent (`apps/<app>/src/main.ts`), not the CLI, console or the single box. */
export function serviceApps(): string[] {
  return readdirSync(join(ROOT, 'apps'))
    .filter((a) => !['all-in-one', 'cli', 'console'].includes(a) && statSync(join(ROOT, 'apps', a, 'src', 'main.ts'), { throwIfNoEntry: false }))
    .sort();
}
