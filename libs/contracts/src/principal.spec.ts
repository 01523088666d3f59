import { describe, expect, it } from 'vitest';
import { may, Permission, permissionsOf, type Principal } from './principal';

const member: Principal = {
  id: 'user:ann',
  roles: [],
  permissions: [],
  projects: [{ id: 'vision', role: 'member', permissions: permissionsOf(['member']) }],
};
const operator: Principal = { id: 'user:ops', roles: ['operator'], permissions: permissionsOf(['operator']), projects: [] };

describe('principal - may', () => {
  it('grants a member its own jobs of its project, not others, not another project, not the nodes', () => {
    expect(may(member, Permission.JobStop, { project: 'vision', createdBy: 'user:ann' })).toBe(true);
    expect(may(member, Permission.JobStop, { project: 'vision', createdBy: 'user:bob' })).toBe(false);
    expect(may(member, Permission.JobStop, { project: 'speech', createdBy: 'user:ann' })).toBe(false);
    expect(may(member, Permission.JobSubmit, { project: 'vision', createdBy: '' })).toBe(true);
    expect(may(member, Permission.NodeOperate)).toBe(false);
    expect(may(member, Permission.JobSetHighPriority, { project: 'vision', createdBy: 'user:ann' })).toBe(false);
  });

  it('grants an operator every job and the node verbs, cluster-wide', () => {
    expect(may(operator, Permission.JobDelete, { project: 'speech', createdBy: 'user:bob' })).toBe(true);
    expect(may(operator, Permission.NodeOperate)).toBe(true);
    expect(may(operator, Permission.AuditRead)).toBe(false);
  });

  it('quotas - every project role reads its project\'s, operators and admins set them', () => {
    expect(permissionsOf(['viewer'])).toContain(Permission.QuotaRead);
    expect(permissionsOf(['viewer'])).not.toContain(Permission.QuotaManage);
    expect(permissionsOf(['maintainer'])).not.toContain(Permission.QuotaManage);
    expect(may(operator, Permission.QuotaManage)).toBe(true);
    expect(permissionsOf(['admin'])).toEqual(expect.arrayContaining([Permission.QuotaRead, Permission.QuotaManage]));
  });

  it('permissionsOf - unions roles once, vocabulary order first, extra grants kept', () => {
    const p = permissionsOf(['member', 'viewer'], ['job:setHighPriority', 'x:y']);
    expect(p).toEqual(['job:read', 'job:submit', 'job:stop:own', 'job:delete:own', 'job:priority:own', 'job:setHighPriority', 'job:exec:own', 'quota:read', 'notification:manage:own', 'search:read', 'search:create', 'search:stop:own', 'x:y']);
  });
});
