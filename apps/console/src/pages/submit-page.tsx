import { Permission, type FieldError } from '@trainyard/contracts';
import { useEffect, useRef, useState } from 'react';
import { parse, stringify } from 'yaml';
import { api, ApiError } from '../api/api-client';
import type { Job, TrainingJobSpec } from '../api/types';
import { Tabs } from '../components/tabs';
import { href, navigate } from '../router';
import { useSession } from '../session/session';
import { primeJob } from './job/use-live-job';
import { FormField } from './submit/form-field';
import { EMPTY_FORM, errorsByField, type FormField as Field, formFromSpec, type JobForm, specFromForm } from './submit/spec-form';

type Mode = 'form' | 'yaml';

const LABELS: Record<Field, string> = {
  name: 'Name',
  description: 'Description',
  tags: 'Tags',
  command: 'Start command',
  codeDir: 'Code directory',
  parameters: 'Hyperparameters',
  environments: 'Environment variables',
  image: 'Image',
  cpu: 'vCPU per instance',
  memoryMiB: 'Memory per instance (MiB)',
  gpu: 'GPUs per instance',
  npu: 'NPUs per instance',
  nodeCount: 'Instances',
  pool: 'Pool',
  maxRunHours: 'Stop after (hours)',
  retries: 'Auto restarts',
  runtime: 'Runtime',
  priority: 'Priority',
  preemptible: 'Preemptible',
};

/**
 * Submit a job: a form for the common fields, or the whole spec as YAML; the two stay in step. The
 * API validates; each refusal is shown at its field (or listed, when the form has no field for it).
 * `copyOf` pre-fills it with another job's spec (the guide's copy, L11912-11914).
 */
export function SubmitPage({ copyOf }: { copyOf?: string }) {
  const { can } = useSession();
  const [mode, setMode] = useState<Mode>('form');
  const [form, setForm] = useState<JobForm>(EMPTY_FORM);
  const [base, setBase] = useState<Partial<TrainingJobSpec>>({});
  const [yamlText, setYamlText] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!copyOf) return;
    api<Job>('GET', `/v1/training-jobs/${encodeURIComponent(copyOf)}`).then(
      (j) => (setBase(j.spec), setForm(formFromSpec(j.spec))),
      (e) => setMessage(`Could not copy job ${copyOf}: ${(e as Error).message}`),
    );
  }, [copyOf]);

  const current = (): TrainingJobSpec => (mode === 'form' ? specFromForm(form, base) : parse(yamlText));
  const switchTo = (next: string) => {
    if (next === mode) return;
    if (next === 'yaml') {
      setYamlText(stringify(specFromForm(form, base)));
      setMode('yaml');
      return;
    }
    try {
      const spec = parse(yamlText);
      if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new Error('the YAML must be one mapping (a job spec)');
      setBase(spec);
      setForm(formFromSpec(spec));
      setMode('form');
      setMessage(undefined);
    } catch (err) {
      setMessage(`The YAML does not parse: ${(err as Error).message}`);
    }
  };

  const submit = async () => {
    setBusy(true);
    setErrors([]);
    setMessage(undefined);
    let spec: TrainingJobSpec;
    try {
      spec = current();
    } catch (err) {
      setMessage(`The YAML does not parse: ${(err as Error).message}`);
      setBusy(false);
      return;
    }
    try {
      const job = await api<Job>('POST', '/v1/training-jobs', spec);
      primeJob(job);
      navigate(href(`/jobs/${job.id}`));
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        setMessage(err.message);
        setErrors(err.details);
      } else setMessage((err as Error).message);
      requestAnimationFrame(() => summary.current?.focus());
    }
  };

  const { byField, other } = errorsByField(errors);
  const shownElsewhere = mode === 'form' ? other : errors;
  const bind = (f: Field) => ({ value: form[f] as string, onChange: (e: { target: { value: string } }) => setForm({ ...form, [f]: e.target.value }) });
  const field = (f: Field, opts: { help?: string; type?: string; area?: boolean; required?: boolean; inputMode?: 'decimal' | 'numeric' } = {}) => (
    <FormField id={`job-${f}`} label={LABELS[f] + (opts.required ? ' (required)' : '')} help={opts.help} errors={byField[f]}>
      {(a) =>
        opts.area ? (
          <textarea {...a} {...bind(f)} rows={3} spellCheck={false} />
        ) : (
          <input {...a} {...bind(f)} type={opts.type ?? 'text'} inputMode={opts.inputMode} required={opts.required} spellCheck={false} />
        )
      }
    </FormField>
  );

  return (
    <>
      <h1>{copyOf ? 'Copy a job' : 'Submit a job'}</h1>
      {(message || shownElsewhere.length > 0) && (
        <div ref={summary} className="error-summary" role="alert" tabIndex={-1}>
          <h2>The job was not submitted</h2>
          {message && <p>{message}</p>}
          {shownElsewhere.length > 0 && (
            <ul>
              {shownElsewhere.map((e, i) => (
                <li key={i}>
                  <code>{e.path || '(the spec)'}</code>: {e.message}
                </li>
              ))}
            </ul>
          )}
          {mode === 'form' && Object.keys(byField).length > 0 && (
            <ul>
              {Object.entries(byField).map(([f, messages]) => (
                <li key={f}>
                  <button type="button" className="link" onClick={() => document.getElementById(`job-${f}`)?.focus()}>
                    {LABELS[f as Field]}
                  </button>
                  : {messages!.join('; ')}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <Tabs label="Edit the job as" tabs={[{ id: 'form', label: 'Form' }, { id: 'yaml', label: 'YAML' }]} selected={mode} onSelect={switchTo}>
        <form className="submit" onSubmit={(e) => (e.preventDefault(), void submit())} noValidate>
          {mode === 'form' ? (
            <>
              <fieldset>
                <legend>Job</legend>
                {field('name', { required: true, help: 'Letters, digits, - and _; at most 64.' })}
                {field('description')}
                {field('tags', { area: true, help: 'key=value, one a line; at most 20.' })}
              </fieldset>
              <fieldset>
                <legend>Algorithm</legend>
                {field('command', { help: 'Run by a shell, e.g. python3 ${MA_JOB_DIR}/hello/train.py' })}
                {field('codeDir', { help: 'Appears at ${MA_JOB_DIR}/<its last segment> on every node.' })}
                {field('parameters', { area: true, help: 'name=value, one a line; passed as --name=value.' })}
                {field('environments', { area: true, help: 'NAME=value, one a line.' })}
                {field('image', { help: 'For the container runtime.' })}
              </fieldset>
              <fieldset>
                <legend>Resources</legend>
                <div className="row">
                  {field('cpu', { required: true, inputMode: 'decimal' })}
                  {field('memoryMiB', { required: true, inputMode: 'numeric' })}
                  {field('gpu', { inputMode: 'numeric' })}
                  {field('npu', { inputMode: 'numeric' })}
                </div>
                <div className="row">
                  {field('nodeCount', { inputMode: 'numeric' })}
                  {field('pool', { help: 'Default: default' })}
                  <FormField id="job-runtime" label={LABELS.runtime} errors={byField.runtime}>
                    {(a) => (
                      <select {...a} value={form.runtime} onChange={(e) => setForm({ ...form, runtime: e.target.value })}>
                        <option value="process">process</option>
                        <option value="container">container</option>
                      </select>
                    )}
                  </FormField>
                </div>
              </fieldset>
              <fieldset>
                <legend>Scheduling and fault tolerance</legend>
                <div className="row">
                  <FormField id="job-priority" label={LABELS.priority} errors={byField.priority}>
                    {(a) => (
                      <select {...a} value={form.priority} onChange={(e) => setForm({ ...form, priority: e.target.value })}>
                        <option value="1">1</option>
                        <option value="2">2</option>
                        {(can(Permission.JobSetHighPriority) || form.priority === '3') && <option value="3">3 (high)</option>}
                      </select>
                    )}
                  </FormField>
                  {field('maxRunHours', { inputMode: 'numeric', help: '1–720; empty: no limit.' })}
                  {field('retries', { inputMode: 'numeric', help: 'fault-tolerance/job-retry-num, 1–128; empty: off.' })}
                </div>
                <div className="check">
                  <input id="job-preemptible" type="checkbox" checked={form.preemptible} onChange={(e) => setForm({ ...form, preemptible: e.target.checked })} />
                  <label htmlFor="job-preemptible">{LABELS.preemptible}</label>
                </div>
              </fieldset>
            </>
          ) : (
            <FormField id="job-yaml" label="Job spec (YAML)" help="The whole spec: kind, metadata, algorithm, spec.">
              {(a) => <textarea {...a} className="yaml" rows={24} spellCheck={false} value={yamlText} onChange={(e) => setYamlText(e.target.value)} />}
            </FormField>
          )}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || !can(Permission.JobSubmit)}>
              Submit
            </button>
          </div>
        </form>
      </Tabs>
    </>
  );
}
