import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOidcProvider, type FakeOidcProvider } from './support/fake-oidc-provider';
import { yardIn } from './support/fault-injection';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Identity end to end (issue 11), against a real cluster: the separate high-priority grant, OIDC
 * bearer JWTs verified against a JWKS served on loopback, and the audit of who did what to a job.
 */
describe('identity - grants, OIDC and audit', () => {
  let t: TestCluster;
  let idp: FakeOidcProvider;
  const tokens: Record<string, { id: string; token: string }> = {};

  beforeAll(async () => {
    idp = await startFakeOidcProvider();
    // No node: every job waits, so its priority may change.
    t = await startTestCluster({ agents: [], apiOptions: { oidc: { issuer: idp.issuer, audience: idp.clientId } } });
    expect((await t.api.call('POST', '/v1/projects', { id: 'vision' })).status).toBe(201);
    for (const [name, role] of [['mia', 'member'], ['max', 'maintainer']] as const) {
      const r = await t.api.call('POST', '/v1/admin/tokens', { roles: [role], project: 'vision', subject: `user:${name}` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      tokens[name] = r.body;
    }
  }, 60_000);
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    await idp?.[Symbol.asyncDispose]();
  });

  const job = (name: string, priority?: number) => ({ ...shellJob(name, 'true'), metadata: { name, project: 'vision' }, spec: { ...shellJob(name, 'true').spec, ...(priority ? { priority } : {}) } });

  it('priority 3 is refused (403 naming job:setHighPriority) without the grant, and accepted once it is bound', async () => {
    const mia = t.api.as(tokens.mia.token);
    const refusedSubmit = await mia.call('POST', '/v1/training-jobs', job('urgent', 3));
    expect(refusedSubmit.status, JSON.stringify(refusedSubmit.body)).toBe(403);
    expect(refusedSubmit.body.error.code).toBe('FORBIDDEN');
    expect(JSON.stringify(refusedSubmit.body.error)).toContain('job:setHighPriority');

    const { body: waiting } = await mia.call('POST', '/v1/training-jobs', job('normal'));
    const refusedChange = await mia.call('POST', `/v1/training-jobs/${waiting.id}/priority`, { priority: 3 });
    expect(refusedChange.status).toBe(403);
    expect(refusedChange.body.error.message).toContain('job:setHighPriority');
    expect((await mia.call('POST', `/v1/training-jobs/${waiting.id}/priority`, { priority: 2 })).status).toBe(200);

    expect((await t.api.call('POST', '/v1/admin/bindings', { subject: 'user:mia', role: 'job:setHighPriority' })).status).toBe(200);
    const me = (await mia.call('GET', '/v1/me')).body;
    expect(me.permissions).toContain('job:setHighPriority');
    const accepted = await mia.call('POST', `/v1/training-jobs/${waiting.id}/priority`, { priority: 3 });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.priority).toBe(3);
    const submitted = await mia.call('POST', '/v1/training-jobs', job('urgent', 3));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(submitted.body.priority).toBe(3);
    // Taking the grant back takes the right back.
    expect((await t.api.call('DELETE', '/v1/admin/bindings', { subject: 'user:mia', role: 'job:setHighPriority' })).status).toBe(200);
    expect((await mia.call('POST', '/v1/training-jobs', job('urgent', 3))).status).toBe(403);
  });

  it('OIDC - a JWT signed by a key of the JWKS on loopback is accepted; wrong audience, expired, or another key are refused', async () => {
    const asJwt = (jwt: string) => t.api.as(jwt).call('GET', '/v1/me');
    const good = await asJwt(await idp.sign());
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ id: 'user:oidc-user', groups: ['group:ml'], projects: [] });
    // Bindings on its group give it a role.
    expect((await t.api.call('POST', '/v1/projects/vision/bindings', { subject: 'group:ml', role: 'viewer' })).status).toBe(200);
    const viewer = await asJwt(await idp.sign());
    expect(viewer.body.projects).toEqual([expect.objectContaining({ id: 'vision', role: 'viewer' })]);

    const now = Math.floor(Date.now() / 1000);
    for (const [what, jwt] of [
      ['wrong audience', await idp.sign({ aud: 'someone-else' })],
      ['expired', await idp.sign({ iat: now - 7200, exp: now - 3600 })],
      ['another key', await idp.sign({}, { otherKey: true })],
      ['another issuer', await idp.sign({ iss: 'https://evil.example' })],
    ] as const) {
      const r = await asJwt(jwt);
      expect(r.status, what).toBe(401);
      expect(r.body.error.code, what).toBe('UNAUTHENTICATED');
    }
  });

  it('yard audit --job lists the submit, the priority change and the stop with their principals and tokens', async () => {
    const mia = t.api.as(tokens.mia.token);
    const max = t.api.as(tokens.max.token);
    const { body: created } = await mia.call('POST', '/v1/training-jobs', job('audited'), { 'user-agent': 'audit-test/1.0' });
    expect((await max.call('POST', `/v1/training-jobs/${created.id}/priority`, { priority: 2 })).status).toBe(200);
    expect((await mia.call('POST', `/v1/training-jobs/${created.id}/stop`)).status).toBe(202);

    const json = await yardIn(t.api.url, ['audit', '--job', created.id, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const items = JSON.parse(json.stdout).items.slice().reverse();
    expect(items.map((e: any) => [e.actor, e.types[0], e.tokenId])).toEqual([
      ['user:mia', 'JobCreated', tokens.mia.id],
      ['user:max', 'JobPriorityChanged', tokens.max.id],
      ['user:mia', expect.stringMatching(/^JobStop|^JobTerminated/), tokens.mia.id],
    ]);
    expect(items[0]).toMatchObject({ source: '127.0.0.1', userAgent: 'audit-test/1.0', project: 'vision', target: { kind: 'job', id: created.id } });

    const table = await yardIn(t.api.url, ['audit', '--job', created.id]);
    expect(table.stdout).toMatch(new RegExp(`user:mia\\s+${tokens.mia.id}\\s+127\\.0\\.0\\.1\\s+job ${created.id}\\s+JobCreated`));
    expect(table.stdout).toMatch(/user:max\s+\S+\s+127\.0\.0\.1\s+job \S+\s+JobPriorityChanged/);

    // The maintainer reads its project's audit; the member may not.
    expect((await max.call('GET', `/v1/audit?project=vision&job=${created.id}`)).body.items).toHaveLength(3);
    expect((await mia.call('GET', '/v1/audit?project=vision')).status).toBe(403);
    expect((await max.call('GET', '/v1/audit')).status).toBe(403);
  });
});
