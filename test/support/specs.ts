import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(__dirname, '../..');

/** An example's job spec with its code dir made absolute, as `yard submit` does. */
export function exampleSpec(name: string): any {
  const file = resolve(root, 'examples', name, 'job.yaml');
  const spec = parse(readFileSync(file, 'utf8'));
  if (spec.algorithm?.codeDir) spec.algorithm.codeDir = resolve(dirname(file), spec.algorithm.codeDir);
  return spec;
}

/** A minimal valid job running `command` on `nodeCount` instances. */
export function shellJob(name: string, command: string, nodeCount = 1, extra: Record<string, unknown> = {}): any {
  return {
    kind: 'job',
    metadata: { name },
    algorithm: { command },
    spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 128 }, nodeCount }, ...extra },
  };
}
