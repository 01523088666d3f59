import { stateLabel } from '../format/job-states';

/** A job state in English with the guide's Chinese label (e.g. Running · 运行中). */
export function StateBadge({ state, testId }: { state: string; testId?: string }) {
  const l = stateLabel(state);
  return (
    <span className={`state state-${state}`} data-state={state} data-testid={testId}>
      {l.en} <span lang="zh">· {l.zh}</span>
    </span>
  );
}
