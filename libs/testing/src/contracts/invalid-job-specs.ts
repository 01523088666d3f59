import {
  ALGORITHM_LIMITS,
  ANNOTATION_LIMITS,
  FORBIDDEN_KEYS,
  INPUT_LIMITS,
  JOB_SPEC_LIMITS,
  NODE_AFFINITY_LIMITS,
  PATH_LIMITS,
  indexPath,
  keyPath,
} from '@trainyard/contracts';
import fc from 'fast-check';

/**
 * Generators of job submissions the API must refuse, for property tests of the validator and fuzz
 * tests of the running API. Each is one mutation of {@link fuzzBaseSpec} (a valid spec with a string in
 * every field that takes one), so the refusal must name the mutated place.
 */
export interface InvalidSubmission {
  /** Which generator made it (for failure reports). */
  kind: string;
  body: string | Uint8Array;
  contentType: string;
  headers?: Record<string, string>;
  expect: {
    status: 400 | 413 | 415;
    /** A refusal detail's path must start with this one (`''`: any path, the root included). */
    path: string;
  };
}

type Seg = string | number;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A valid spec touching most fields, CPU-only (no code dir, so it runs anywhere as is). */
export function fuzzBaseSpec(): Record<string, any> {
  return {
    kind: 'job',
    metadata: {
      name: 'fuzz-base',
      description: 'fuzz base spec, 模糊测试。',
      annotations: { 'fault-tolerance/job-retry-num': '2', team: 'vision', 'note.example/x y': 'tab\there, emoji 🚀, newline\n' },
      tags: [{ key: 'team', value: 'vision' }],
    },
    algorithm: {
      command: 'echo "fuzz base"; exit 0',
      workingDir: '/tmp',
      parameters: [{ name: 'epochs', value: '3' }],
      inputs: [{ name: 'data', path: '/tmp/fuzz-data' }],
      outputs: [{ name: 'OUT_DIR', path: '/tmp/fuzz-out', accessMethod: 'env' }],
      environments: { FUZZ_VAR: 'value with\nnewline and ünïcödé', NCCL_DEBUG: 'INFO' },
    },
    spec: {
      resource: { pool: 'default', flavor: { cpu: 0.5, memoryMiB: 128 }, nodeCount: 1 },
      priority: 1,
      preemptible: false,
      maxRunHours: 1,
      runtime: 'process',
      nodeAffinity: [{ type: 'affinity', strength: 'preferred', labels: { zone: ['a', 'b'] } }],
    },
  };
}

const pathOf = (segs: readonly Seg[]): string =>
  segs.reduce<string>((p, s) => (typeof s === 'number' ? indexPath(p, s) : keyPath(p, s)), '');

/** Every string value, and every object (with its path), of a document. */
function places(doc: Json, at: Seg[] = [], out = { strings: [] as Seg[][], objects: [] as Seg[][] }) {
  if (typeof doc === 'string') out.strings.push(at);
  else if (Array.isArray(doc)) doc.forEach((v, i) => places(v, [...at, i], out));
  else if (doc && typeof doc === 'object') {
    out.objects.push(at);
    for (const [k, v] of Object.entries(doc)) places(v, [...at, k], out);
  }
  return out;
}
const BASE_PLACES = places(fuzzBaseSpec());

function parentOf(doc: any, segs: readonly Seg[]): any {
  return segs.slice(0, -1).reduce((o, s) => o[s], doc);
}

/** Sets an own property, even `__proto__` (an assignment would replace the prototype instead). */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function withValue(segs: readonly Seg[], value: unknown): Record<string, any> {
  const doc = fuzzBaseSpec();
  const parent = parentOf(doc, segs);
  parent[segs[segs.length - 1]] = value;
  return doc;
}

const json = (doc: unknown): InvalidSubmission['body'] => JSON.stringify(doc);
const submission = (kind: string, doc: unknown, path: string, status: 400 | 413 = 400): InvalidSubmission => ({
  kind, body: json(doc), contentType: 'application/json', expect: { status, path },
});

/** U+0000 or an unpaired surrogate (never next to its partner) inserted in any string or key. */
export const unstorableText = fc
  .record({
    bad: fc.constantFrom('\u0000', '\ud800x', 'x\udc00', '\udbff', '\udfff'),
    where: fc.oneof(fc.constantFrom(...BASE_PLACES.strings).map((s) => ({ key: false, segs: s })),
      fc.constantFrom(...BASE_PLACES.objects.filter((o) => o.length > 0)).map((s) => ({ key: true, segs: s }))),
    at: fc.nat(),
  })
  .map(({ bad, where, at }): InvalidSubmission => {
    const doc = fuzzBaseSpec();
    if (!where.key) {
      const parent = parentOf(doc, where.segs);
      const last = where.segs[where.segs.length - 1];
      const s: string = parent[last];
      const i = at % (s.length + 1);
      // Never split a surrogate pair of the base text (🚀): the bad character must stay alone.
      const cut = i > 0 && /[\ud800-\udbff]/.test(s[i - 1]) ? i - 1 : i;
      parent[last] = s.slice(0, cut) + bad + s.slice(cut);
      return submission('unstorable-text', doc, pathOf(where.segs));
    }
    // A key of the object at `segs`: rename its first key.
    const obj = where.segs.reduce((o: any, s) => o[s], doc);
    const [oldKey] = Object.keys(obj);
    const newKey = oldKey.slice(0, at % (oldKey.length + 1)) + bad + oldKey.slice(at % (oldKey.length + 1));
    const value = obj[oldKey];
    delete obj[oldKey];
    define(obj, newKey, value);
    return submission('unstorable-key', doc, pathOf([...where.segs, newKey]));
  });

const chars = (n: number, c = 'a') => c.repeat(n);
const bytesOver = (limit: number) => fc.integer({ min: 1, max: 64 }).map((extra) => '中'.repeat(Math.ceil((limit + extra) / 3)));
const charsOver = (limit: number) => fc.integer({ min: 1, max: 200 }).map((extra) => chars(limit + extra));

/** A string field one to a few hundred characters (or bytes) over its limit. */
export const overLongField = fc.oneof(
  charsOver(JOB_SPEC_LIMITS.nameLength).map((v) => submission('over-long', withValue(['metadata', 'name'], v), 'metadata.name')),
  charsOver(JOB_SPEC_LIMITS.descriptionLength).map((v) => submission('over-long', withValue(['metadata', 'description'], v), 'metadata.description')),
  bytesOver(ALGORITHM_LIMITS.commandBytes).map((v) => submission('over-long', withValue(['algorithm', 'command'], v), 'algorithm.command')),
  bytesOver(PATH_LIMITS.pathBytes).map((v) => submission('over-long', withValue(['algorithm', 'workingDir'], `/${v}`), 'algorithm.workingDir')),
  charsOver(PATH_LIMITS.segmentBytes).map((v) => submission('over-long', withValue(['algorithm', 'inputs', 0, 'path'], `/data/${v}/x`), 'algorithm.inputs[0].path')),
  bytesOver(ALGORITHM_LIMITS.environmentValueBytes).map((v) => submission('over-long', withValue(['algorithm', 'environments', 'FUZZ_VAR'], v), 'algorithm.environments.FUZZ_VAR')),
  bytesOver(ALGORITHM_LIMITS.parameterValueBytes).map((v) => submission('over-long', withValue(['algorithm', 'parameters', 0, 'value'], v), 'algorithm.parameters[0].value')),
  charsOver(JOB_SPEC_LIMITS.tagKeyLength).map((v) => submission('over-long', withValue(['metadata', 'tags', 0, 'key'], v), 'metadata.tags[0].key')),
  charsOver(JOB_SPEC_LIMITS.tagValueLength).map((v) => submission('over-long', withValue(['metadata', 'tags', 0, 'value'], v), 'metadata.tags[0].value')),
  charsOver(ANNOTATION_LIMITS.valueLength).map((v) => submission('over-long', withValue(['metadata', 'annotations', 'team'], v), 'metadata.annotations.team')),
  charsOver(JOB_SPEC_LIMITS.poolLength).map((v) => submission('over-long', withValue(['spec', 'resource', 'pool'], v), 'spec.resource.pool')),
  charsOver(NODE_AFFINITY_LIMITS.valueLength).map((v) => submission('over-long', withValue(['spec', 'nodeAffinity', 0, 'labels', 'zone', 1], v), 'spec.nodeAffinity[0].labels.zone[1]')),
  fc.integer({ min: 1, max: 500 }).map((extra) => {
    const doc = fuzzBaseSpec();
    const key = chars(ANNOTATION_LIMITS.keyLength + extra, 'k');
    doc.metadata.annotations[key] = 'x';
    return submission('over-long', doc, keyPath('metadata.annotations', key));
  }),
  fc.integer({ min: 1, max: 500 }).map((extra) => {
    const doc = fuzzBaseSpec();
    const name = chars(ALGORITHM_LIMITS.environmentNameLength + extra, 'V');
    doc.algorithm.environments[name] = 'x';
    return submission('over-long', doc, keyPath('algorithm.environments', name));
  }),
);

const notString = fc.constantFrom<Json>(1, true, null, [], {}, ['x']);
const notObject = fc.constantFrom<Json>('x', 1, false, null, [], [{}]);
const notArray = fc.constantFrom<Json>('x', 1, true, null, {});
const notInteger = fc.constantFrom<Json>('1', true, null, [], {}, 1.5);

/** A field given a value of the wrong JSON type. */
export const wrongType = fc
  .constantFrom<[Seg[], fc.Arbitrary<Json>]>(
    [['kind'], notString], [['metadata'], notObject], [['metadata', 'name'], notString], [['metadata', 'description'], notString],
    [['metadata', 'annotations'], notObject], [['metadata', 'annotations', 'team'], notString], [['metadata', 'tags'], notArray],
    [['metadata', 'tags', 0], notObject], [['metadata', 'tags', 0, 'key'], notString], [['algorithm'], notObject],
    [['algorithm', 'command'], notString], [['algorithm', 'workingDir'], notString], [['algorithm', 'parameters'], notArray],
    [['algorithm', 'parameters', 0], notObject], [['algorithm', 'parameters', 0, 'value'], notString],
    [['algorithm', 'environments'], notObject], [['algorithm', 'environments', 'FUZZ_VAR'], notString],
    [['algorithm', 'inputs'], notArray], [['algorithm', 'inputs', 0, 'path'], notString], [['algorithm', 'userId'], notInteger],
    [['spec'], notObject], [['spec', 'resource'], notObject], [['spec', 'resource', 'flavor'], notObject],
    [['spec', 'resource', 'flavor', 'cpu'], fc.constantFrom<Json>('1', true, null, [], {})], [['spec', 'resource', 'flavor', 'memoryMiB'], notInteger],
    [['spec', 'resource', 'nodeCount'], notInteger], [['spec', 'priority'], notInteger], [['spec', 'preemptible'], fc.constantFrom<Json>('false', 0, null, [])],
    [['spec', 'maxRunHours'], notInteger], [['spec', 'runtime'], notString], [['spec', 'nodeAffinity'], notArray],
    [['spec', 'nodeAffinity', 0], notObject], [['spec', 'nodeAffinity', 0, 'labels'], notObject],
    [['spec', 'nodeAffinity', 0, 'labels', 'zone'], fc.constantFrom<Json>(1, null, {}, [1], [])],
  )
  .chain(([segs, values]) => values.map((v) => submission('wrong-type', withValue(segs, v), pathOf(segs))));

const many = (min: number, max: number) => fc.integer({ min, max });

/** An array or map past its bound (still well under the body limit). */
export const hugeCollection = fc.oneof(
  many(JOB_SPEC_LIMITS.tags + 1, 3000).map((n) => submission('huge', withValue(['metadata', 'tags'], Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }))), 'metadata.tags')),
  many(ALGORITHM_LIMITS.parameters + 1, 5000).map((n) => submission('huge', withValue(['algorithm', 'parameters'], Array.from({ length: n }, (_, i) => ({ name: `p${i}`, value: '1' }))), 'algorithm.parameters')),
  many(ALGORITHM_LIMITS.channels + 1, 3000).map((n) => submission('huge', withValue(['algorithm', 'inputs'], Array.from({ length: n }, (_, i) => ({ name: `in${i}`, path: '/d' }))), 'algorithm.inputs')),
  many(ALGORITHM_LIMITS.environments + 1, 5000).map((n) => submission('huge', withValue(['algorithm', 'environments'], Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, 'x']))), 'algorithm.environments')),
  many(ANNOTATION_LIMITS.annotations + 1, 5000).map((n) => submission('huge', withValue(['metadata', 'annotations'], Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'x']))), 'metadata.annotations')),
  many(NODE_AFFINITY_LIMITS.rules + 1, 3000).map((n) => submission('huge', withValue(['spec', 'nodeAffinity'], Array.from({ length: n }, () => ({ type: 'affinity', strength: 'preferred', labels: { zone: 'a' } }))), 'spec.nodeAffinity')),
  many(NODE_AFFINITY_LIMITS.labelsPerRule + 1, 2000).map((n) => submission('huge', withValue(['spec', 'nodeAffinity', 0, 'labels'], Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'a']))), 'spec.nodeAffinity[0].labels')),
  many(NODE_AFFINITY_LIMITS.valuesPerLabel + 1, 5000).map((n) => submission('huge', withValue(['spec', 'nodeAffinity', 0, 'labels', 'zone'], Array.from({ length: n }, (_, i) => `z${i}`)), 'spec.nodeAffinity[0].labels.zone')),
);

const FT = 'fault-tolerance/';

/** Fault-tolerance annotations the guide's rules refuse (V18), and malformed annotation maps. */
export const badAnnotation = fc.oneof(
  fc.constantFrom('0', '129', 'abc', '', ' 3', '3.0', '-1', '1e2').map((v) => annotation(`${FT}job-retry-num`, v)),
  fc.constantFrom('-1', 'x', '').map((v) => annotation(`${FT}pod-retry-num`, v)),
  fc.constantFrom('yes', 'TRUE', '1', '').map((v) => annotation(`${FT}job-unconditional-retry`, v)),
  // hang-retry needs an accelerator; the base flavor is CPU-only.
  fc.constant(annotation(`${FT}hang-retry`, 'true')),
  fc.stringMatching(/^[a-z-]{1,20}$/).filter((k) => !['job-retry-num', 'pod-retry-num', 'job-unconditional-retry', 'hang-retry', 'hccl_op_retry'].includes(k)).map((k) => annotation(`${FT}${k}`, '1')),
  fc.constantFrom<Json>(3, true, null, {}, ['1']).map((v) => annotation('team', v)),
  fc.constantFrom('', ' ', '\t').map((k) => annotation(k, 'x')),
  fc.constant(((): InvalidSubmission => {
    const doc = fuzzBaseSpec();
    delete doc.metadata.annotations[`${FT}job-retry-num`];
    doc.metadata.annotations[`${FT}job-unconditional-retry`] = 'true';
    return submission('bad-annotation', doc, keyPath('metadata.annotations', `${FT}job-retry-num`));
  })()),
);

function annotation(key: string, value: Json): InvalidSubmission {
  const doc = fuzzBaseSpec();
  doc.metadata.annotations[key] = value;
  return submission('bad-annotation', doc, keyPath('metadata.annotations', key));
}

/** `__proto__`, `constructor` or `prototype` as an own key of any object of the spec. */
export const prototypeKey = fc
  .record({ key: fc.constantFrom(...FORBIDDEN_KEYS), where: fc.constantFrom(...BASE_PLACES.objects), value: fc.jsonValue({ maxDepth: 2 }) })
  .map(({ key, where, value }) => {
    const doc = fuzzBaseSpec();
    define(where.reduce((o: any, s) => o[s], doc), key, value);
    return submission('prototype-key', doc, keyPath(pathOf(where), key));
  });

/** Objects or arrays nested far past the depth bound at any place of the spec. */
export const deepNesting = fc
  .record({ where: fc.constantFrom(...BASE_PLACES.strings), depth: fc.integer({ min: INPUT_LIMITS.maxDepth, max: 20_000 }), objects: fc.boolean() })
  .map(({ where, depth, objects }): InvalidSubmission => {
    // Built as text: JSON.stringify itself would overflow the stack on such depth.
    const nested = objects ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
    const body = JSON.stringify(withValue(where, '\u2063deep\u2063')).replace('"\u2063deep\u2063"', nested);
    return { kind: 'deep', body, contentType: 'application/json', expect: { status: 400, path: pathOf(where) } };
  });

const isPlainObject = (text: string): boolean => {
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
};
const BASE_TEXT = JSON.stringify(fuzzBaseSpec());

/** Bodies that are not a JSON object: broken JSON, other JSON values, random bytes, other media types. */
export const notJsonObject = fc.oneof(
  fc.string({ maxLength: 200 }).filter((s) => !isPlainObject(s)).map((s) => raw('not-json', s, 'application/json', 400)),
  fc.integer({ min: 1, max: BASE_TEXT.length - 1 }).map((n) => raw('truncated', BASE_TEXT.slice(0, n), 'application/json', 400)),
  fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => raw('json-not-object', JSON.stringify(v), 'application/json', 400)),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).filter((b) => !isPlainObject(Buffer.from(b).toString('utf8'))).map((b) => raw('bytes', b, 'application/json', 400)),
  fc.constant(raw('empty', '', 'application/json', 400)),
  fc.constant(raw('text-plain', BASE_TEXT, 'text/plain', 400)),
  fc.constantFrom('application/xml', 'application/octet-stream', 'image/png').map((t) => raw('media-type', BASE_TEXT, t, 415)),
);

function raw(kind: string, body: string | Uint8Array, contentType: string, status: 400 | 415): InvalidSubmission {
  return { kind, body, contentType, expect: { status, path: '' } };
}

/** A valid spec sent with a malformed `Idempotency-Key`. */
export const badIdempotencyKey = fc
  .oneof(
    fc.integer({ min: 256, max: 2000 }).map((n) => 'k'.repeat(n)),
    // Header values are Latin-1 on the wire; these are sendable but not visible ASCII.
    fc.constantFrom('two words', 'clé', 'tab\tinside', 'a,b c'),
  )
  .map((key): InvalidSubmission => ({ kind: 'idempotency-key', body: BASE_TEXT, contentType: 'application/json', headers: { 'idempotency-key': key }, expect: { status: 400, path: 'Idempotency-Key' } }));

/** A body over the HTTP limit. */
export const oversizedBody = fc
  .integer({ min: 1, max: 256 * 1024 })
  .map((extra) => submission('oversized', withValue(['metadata', 'description'], 'x'.repeat(INPUT_LIMITS.bodyBytes + extra)), '', 413));

/** Every generator, by name. */
export const INVALID_SUBMISSIONS = {
  unstorableText, overLongField, wrongType, hugeCollection, badAnnotation, prototypeKey, deepNesting, notJsonObject, badIdempotencyKey, oversizedBody,
} as const;

/** Generators of JSON documents (spec-level faults only), for property tests of `validateJobSpec`. */
export const INVALID_SPEC_DOCUMENTS = { unstorableText, overLongField, wrongType, hugeCollection, badAnnotation, prototypeKey, deepNesting } as const;
