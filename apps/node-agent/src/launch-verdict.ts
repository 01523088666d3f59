import type { TaskAssignment } from '@trainyard/contracts';
import { isEnded, type TaskView } from '@trainyard/domain';

/**
 * Whether an assignment still wants a process, judged against the job's own history (the source of
 * truth; the report intake folds it into a {@link TaskView}), so a replayed node subject (a
 * recreated durable, a wiped work dir) cannot bring old work back to life.
 * - `launch`: the job waits for this attempt to start, or cannot say (the start report will decide).
 * - `skip`: the attempt is over or superseded: do nothing, report nothing.
 * - `stop`: the job is ending and still counts the task as assigned: do not start it; report it stopped.
 * - `orphaned`: the job says it runs here, but this agent did not start it (an earlier run did):
 *   report it lost.
 */
export type LaunchVerdict = 'launch' | 'skip' | 'stop' | 'orphaned';

export function launchVerdict(view: TaskView, a: TaskAssignment, nodeId: string): LaunchVerdict {
  if (view.jobStatus === 'none') return 'launch';
  const task = view.task;
  if (!task || task.attempt < a.attempt) return 'launch';
  if (task.attempt > a.attempt) return 'skip';
  if (task.status === 'running') return task.nodeId === nodeId ? 'orphaned' : 'skip';
  if (task.status !== 'assigned') return 'skip';
  return view.jobStatus === 'terminating' || isEnded(view.jobStatus) ? 'stop' : 'launch';
}
