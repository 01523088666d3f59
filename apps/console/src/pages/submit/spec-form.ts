import type { FieldError, TrainingJobSpec } from '@trainyard/contracts';

/**
 * The submit form's fields (the common ones: ch04-06 §13 V1-V17) and the mapping between them and a
 * job spec, both ways. Fields the form does not show (node affinity, inputs, a launcher…) stay in the
 * spec it started from, so switching between the form and the YAML editor loses nothing. Pure.
 */
export interface JobForm {
  name: string;
  description: string;
  command: string;
  codeDir: string;
  image: string;
  /** `name=value`, one a line. */
  parameters: string;
  /** `NAME=value`, one a line. */
  environments: string;
  pool: string;
  cpu: string;
  memoryMiB: string;
  gpu: string;
  npu: string;
  nodeCount: string;
  priority: string;
  preemptible: boolean;
  maxRunHours: string;
  runtime: string;
  /** `key=value`, one a line. */
  tags: string;
  /** `fault-tolerance/job-retry-num`: auto restarts, empty = off. */
  retries: string;
}
export type FormField = keyof JobForm;

export const RETRY_ANNOTATION = 'fault-tolerance/job-retry-num';

export const EMPTY_FORM: JobForm = {
  name: '', description: '', command: '', codeDir: '', image: '', parameters: '', environments: '', pool: '', cpu: '1', memoryMiB: '1024',
  gpu: '', npu: '', nodeCount: '1', priority: '1', preemptible: false, maxRunHours: '', runtime: 'process', tags: '', retries: '',
};

const pairs = (items: Array<{ key?: string; name?: string; value: string }> | undefined, k: 'key' | 'name') =>
  (items ?? []).map((i) => `${i[k] ?? ''}=${i.value ?? ''}`).join('\n');
const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function formFromSpec(spec: Partial<TrainingJobSpec> | undefined): JobForm {
  const s = (spec ?? {}) as any;
  const r = s.spec?.resource ?? {};
  return {
    name: text(s.metadata?.name),
    description: text(s.metadata?.description),
    command: text(s.algorithm?.command),
    codeDir: text(s.algorithm?.codeDir),
    image: text(s.algorithm?.image),
    parameters: pairs(s.algorithm?.parameters, 'name'),
    environments: Object.entries(s.algorithm?.environments ?? {}).map(([k, v]) => `${k}=${v}`).join('\n'),
    pool: text(r.pool),
    cpu: text(r.flavor?.cpu),
    memoryMiB: text(r.flavor?.memoryMiB),
    gpu: text(r.flavor?.gpu),
    npu: text(r.flavor?.npu),
    nodeCount: text(r.nodeCount ?? 1),
    priority: text(s.spec?.priority ?? 1),
    preemptible: s.spec?.preemptible === true,
    maxRunHours: text(s.spec?.maxRunHours),
    runtime: text(s.spec?.runtime ?? 'process'),
    tags: pairs(s.metadata?.tags, 'key'),
    retries: text(s.metadata?.annotations?.[RETRY_ANNOTATION]),
  };
}

/** A number when the text is one; otherwise the text itself, so the API names the field that is wrong. */
const num = (v: string): number | string | undefined => (v.trim() === '' ? undefined : /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);
const lines = (v: string) => v.split('\n').map((l) => l.trim()).filter(Boolean);
const split = (l: string) => (l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, '']);
/** Sets `key` to `value`, or removes it when the value is empty. */
function put(o: Record<string, unknown>, key: string, value: unknown) {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete o[key];
  else o[key] = value;
}

export function specFromForm(form: JobForm, base: Partial<TrainingJobSpec> = {}): TrainingJobSpec {
  const b = structuredClone(base) as any;
  const metadata = { ...(b.metadata ?? {}) };
  put(metadata, 'name', form.name.trim());
  put(metadata, 'description', form.description.trim());
  put(metadata, 'tags', lines(form.tags).map((l) => ({ key: split(l)[0].trim(), value: split(l)[1].trim() })));
  const annotations = { ...(metadata.annotations ?? {}) };
  put(annotations, RETRY_ANNOTATION, form.retries.trim());
  put(metadata, 'annotations', Object.keys(annotations).length ? annotations : undefined);

  const algorithm = { ...(b.algorithm ?? {}) };
  put(algorithm, 'command', form.command.trim());
  put(algorithm, 'codeDir', form.codeDir.trim());
  put(algorithm, 'image', form.image.trim());
  put(algorithm, 'parameters', lines(form.parameters).map((l) => ({ name: split(l)[0].trim(), value: split(l)[1] })));
  const env = Object.fromEntries(lines(form.environments).map((l) => [split(l)[0].trim(), split(l)[1]]));
  put(algorithm, 'environments', Object.keys(env).length ? env : undefined);

  const spec = { ...(b.spec ?? {}) };
  const resource = { ...(spec.resource ?? {}) };
  const flavor = { ...(resource.flavor ?? {}) };
  put(flavor, 'cpu', num(form.cpu));
  put(flavor, 'memoryMiB', num(form.memoryMiB));
  put(flavor, 'gpu', num(form.gpu));
  put(flavor, 'npu', num(form.npu));
  resource.flavor = flavor;
  put(resource, 'pool', form.pool.trim());
  put(resource, 'nodeCount', num(form.nodeCount));
  spec.resource = resource;
  put(spec, 'priority', num(form.priority));
  put(spec, 'preemptible', form.preemptible ? true : undefined);
  put(spec, 'maxRunHours', num(form.maxRunHours));
  put(spec, 'runtime', form.runtime === 'process' ? undefined : form.runtime);
  return { ...b, kind: b.kind ?? 'job', metadata, algorithm, spec };
}

/** The form field an error path of the API belongs to (`metadata.tags[2].key` → tags), if the form shows it. */
export function fieldOf(path: string): FormField | undefined {
  const rules: Array<[RegExp, FormField]> = [
    [/^metadata\.name$/, 'name'],
    [/^metadata\.description$/, 'description'],
    [/^metadata\.tags\b/, 'tags'],
    [/^metadata\.annotations(\.|\[")fault-tolerance\/job-retry-num/, 'retries'],
    [/^algorithm\.command$/, 'command'],
    [/^algorithm\.codeDir$/, 'codeDir'],
    [/^algorithm\.image$/, 'image'],
    [/^algorithm\.parameters\b/, 'parameters'],
    [/^algorithm\.environments\b/, 'environments'],
    [/^spec\.resource\.pool$/, 'pool'],
    [/^spec\.resource\.flavor\.cpu$/, 'cpu'],
    [/^spec\.resource\.flavor\.memoryMiB$/, 'memoryMiB'],
    [/^spec\.resource\.flavor\.gpu$/, 'gpu'],
    [/^spec\.resource\.flavor\.npu$/, 'npu'],
    [/^spec\.resource\.nodeCount$/, 'nodeCount'],
    [/^spec\.priority$/, 'priority'],
    [/^spec\.preemptible$/, 'preemptible'],
    [/^spec\.maxRunHours$/, 'maxRunHours'],
    [/^spec\.runtime$/, 'runtime'],
  ];
  return rules.find(([re]) => re.test(path))?.[1];
}

/** The API's field errors by form field, and those the form has no field for. */
export function errorsByField(details: readonly FieldError[]): { byField: Partial<Record<FormField, string[]>>; other: FieldError[] } {
  const byField: Partial<Record<FormField, string[]>> = {};
  const other: FieldError[] = [];
  for (const d of details) {
    const f = fieldOf(d.path);
    if (f) (byField[f] ??= []).push(d.message);
    else other.push(d);
  }
  return { byField, other };
}
