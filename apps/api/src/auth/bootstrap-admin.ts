import { DEFAULT_PROJECT, type Grant, Subjects, TrainyardError } from '@trainyard/contracts';
import type { ApiOptions } from '../api-options';
import type { IdentityDirectory } from './identity-directory';
import { newToken, parseToken } from './token-secret';

/** What the first admin holds: everything, like the owner of a fresh cluster. */
export const BOOTSTRAP_ADMIN_GRANTS: Grant[] = ['admin', 'operator', 'job:setHighPriority'];
export const BOOTSTRAP_ADMIN_SUBJECT = 'user:admin';

/**
 * A fresh cluster gets its `default` project and, as `ApiOptions.bootstrapAdmin` says, its first
 * admin token: a given one (test clusters) made if missing, or a new one on a cluster that has no token
 * at all, handed once to `onFirstStart`. Racing API replicas are fine: the appends expect an empty
 * aggregate, and the loser finds the winner's.
 */
export async function bootstrapIdentity(directory: IdentityDirectory, options: ApiOptions['bootstrapAdmin']): Promise<void> {
  const now = () => new Date().toISOString();
  const tolerate = (err: unknown) => {
    if (!(err instanceof TrainyardError && err.code === 'CONFLICT')) throw err;
  };
  if (!directory.view.projects.has(DEFAULT_PROJECT)) {
    await directory.execute(Subjects.iamProject(DEFAULT_PROJECT), { type: 'CreateProject', data: { projectId: DEFAULT_PROJECT, by: 'system:bootstrap' }, metadata: { now: now() } }, 'system:bootstrap').catch(tolerate);
  }
  const create = async (tokenId: string, secretSha256: string) =>
    directory.execute(Subjects.iamToken(tokenId), {
      type: 'CreateToken',
      data: { tokenId, secretSha256, subject: BOOTSTRAP_ADMIN_SUBJECT, grants: BOOTSTRAP_ADMIN_GRANTS, description: 'bootstrap admin', by: 'system:bootstrap' },
      metadata: { now: now() },
    }, 'system:bootstrap', { commandId: `bootstrap-admin-${tokenId}` });
  if (options?.token) {
    const parsed = parseToken(options.token);
    if (!parsed) throw new Error('the bootstrap admin token is not an API token (tyt_<12 base32>_<43 base64url>)');
    if (!directory.view.tokens.has(parsed.tokenId)) await create(parsed.tokenId, parsed.secretSha256).catch(tolerate);
    return;
  }
  if (options?.onFirstStart && directory.view.tokens.size === 0) {
    const t = newToken();
    await create(t.tokenId, t.secretSha256);
    await options.onFirstStart(t.token);
  }
}
