import { type Caller, DEFAULT_PROJECT, permissionsOf, type Principal } from '@trainyard/contracts';

/**
 * The principal every request runs as until issue 11 authenticates callers: the configured local
 * caller (`user:local`), which may do everything — operator and admin cluster-wide, maintainer of the
 * one project — plus its own grants (`job:setHighPriority`).
 */
export function localPrincipal(caller: Caller): Principal {
  return {
    id: caller.id,
    roles: ['operator', 'admin'],
    permissions: permissionsOf(['operator', 'admin'], caller.permissions),
    projects: [{ id: DEFAULT_PROJECT, role: 'maintainer', permissions: permissionsOf(['maintainer']) }],
  };
}
