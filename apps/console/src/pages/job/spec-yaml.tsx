import { stringify } from 'yaml';
import type { Job } from '../../api/types';

/** The job's spec as submitted, defaults applied, as YAML. */
export function SpecYaml({ job }: { job: Job }) {
  return (
    <section aria-labelledby="spec-h">
      <h2 id="spec-h">Spec</h2>
      <pre className="code" tabIndex={0} aria-label="Job spec as YAML">
        {stringify(job.spec)}
      </pre>
    </section>
  );
}
