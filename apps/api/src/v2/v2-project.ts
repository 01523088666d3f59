import { PROJECT_ID } from '@trainyard/contracts';
import { ParamCheck } from '../system/query-params';

/**
 * The `{project_id}` of a v2 path: a project id (issue 11). Whether the caller may act there is the
 * route's `path-project` rule (`AuthGuard`); a project without jobs simply lists none.
 */
export function checkProject(project: string): void {
  const check = new ParamCheck();
  check.matches('project_id', project, PROJECT_ID, 'a project id (lower-case letters, digits, - and _)');
  check.done();
}
