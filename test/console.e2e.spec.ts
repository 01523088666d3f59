import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { parse } from 'yaml';
import { type Browser, screenshot, seriousViolations, startBrowser, type TestPage } from './support/browser';
import { eventually } from './support/eventually';
import { startFakeOidcProvider, type FakeOidcProvider } from './support/fake-oidc-provider';
import { exampleSpec, shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';
import { TEST_ADMIN_TOKEN } from '@trainyard/testing';

const root = resolve(__dirname, '..');

/**
 * The web console in a real browser (Debian's chromium, headless) against a whole cluster: sign-in
 * (token and OIDC), submitting the hello example through the form and watching it run live, its log,
 * a validation error at its field, the job list, nodes, dashboard and audit. Every page is checked
 * with axe-core and photographed into test-results/console/.
 */
describe('web console - in a browser against a running cluster', () => {
  let t: TestCluster;
  let browser: Browser;
  let idp: FakeOidcProvider;
  let consoleDir: string;
  let buildOutput: string;
  let url: string;

  beforeAll(async () => {
    // Build the console from the sources under test (not whatever dist/ holds), as `npm run build` does.
    consoleDir = mkdtempSync(join(tmpdir(), 'trainyard-console-'));
    buildOutput = execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'apps/console/vite.config.mts'), '--outDir', consoleDir, '--emptyOutDir'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    });
    idp = await startFakeOidcProvider();
    t = await startTestCluster({
      resourceSampleMs: 250,
      // The API verifies the provider's JWTs against its JWKS (issue 11).
      apiOptions: { console: { dir: consoleDir, oidc: { issuer: idp.issuer, clientId: idp.clientId } }, oidc: { issuer: idp.issuer, audience: idp.clientId } },
    });
    url = t.api.url;
    // The provider's users are in group ml: viewers of the default project.
    expect((await t.api.call('POST', '/v1/projects/default/bindings', { subject: 'group:ml', role: 'viewer' })).status).toBe(200);
    browser = await startBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await t?.[Symbol.asyncDispose]();
    await idp?.[Symbol.asyncDispose]();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  /** Opens a page of the console signed in as `token` (default: the test admin, who may do everything). */
  async function open(hash: string, token = TEST_ADMIN_TOKEN): Promise<TestPage> {
    const page = await browser.page();
    await page.addInitScript((t) => sessionStorage.setItem('trainyard.token', t), token);
    await page.goto(`${url}/${hash}`);
    await page.getByTestId('principal').waitFor();
    return page;
  }

  async function checkPage(page: TestPage, name: string) {
    expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
    await screenshot(page, name);
    expect(page.errors, `console errors on ${name}`).toEqual([]);
  }

  it('the build bundles everything and prints the gzipped size of its JavaScript, within 500 kB', () => {
    const m = /console: JavaScript ([\d.]+) kB gzipped/.exec(buildOutput);
    expect(m, buildOutput).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(500);
    const html = readFileSync(join(consoleDir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('is served at / with a strict content security policy; assets are cached for good; nothing outside them is served', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ${idp.issuer}`);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const asset = /src="\.\/assets\/([^"]+\.js)"/.exec(await page.text())![1];
    const js = await fetch(`${url}/assets/${asset}`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    for (const bad of ['..%2F..%2Fpackage.json', '..%2Findex.html', '.hidden.js', 'x.exe']) expect((await fetch(`${url}/assets/${bad}`)).status, bad).toBe(404);
  });

  it('signs in with a token: the token goes with every API call as a bearer token, and survives a reload', async () => {
    const alice = (await t.api.call('POST', '/v1/admin/tokens', { roles: ['member'], project: 'default', subject: 'user:alice' })).body.token as string;
    const page = await browser.page();
    const auth: (string | undefined)[] = [];
    page.on('request', (r) => r.url().includes('/v1/') && auth.push(r.headers().authorization));
    await page.goto(`${url}/#/login`);
    await page.getByLabel('API token').waitFor();
    await checkPage(page, 'login');
    await page.getByLabel('API token').fill(alice);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.evaluate(() => (globalThis as any).location.hash)).toBe('#/jobs');
    expect(await page.getByTestId('principal').textContent()).toBe('user:alice');
    await page.getByRole('heading', { name: 'Training jobs' }).waitFor();
    expect(auth.filter((a) => a === `Bearer ${alice}`).length).toBeGreaterThanOrEqual(2);
    auth.length = 0;
    await page.reload();
    await page.getByRole('heading', { name: 'Training jobs' }).waitFor();
    await expect.poll(() => auth.length).toBeGreaterThan(0);
    expect(auth.every((a) => a === `Bearer ${alice}`)).toBe(true);
    await page.close();
  });

  it('signs in through the OIDC provider when one is configured (authorization code with PKCE)', async () => {
    const page = await browser.page();
    const auth: (string | undefined)[] = [];
    page.on('request', (r) => r.url().startsWith(url) && r.url().includes('/v1/me') && auth.push(r.headers().authorization));
    await page.goto(`${url}/#/login`);
    await page.getByRole('button', { name: `Sign in with ${new URL(idp.issuer).host}` }).click();
    await expect.poll(() => auth.includes(`Bearer ${idp.token}`), { timeout: 15_000 }).toBe(true);
    await page.getByRole('heading', { name: 'Training jobs' }).waitFor();
    // The API took the provider's JWT: the principal is its subject.
    expect(await page.getByTestId('principal').textContent()).toBe('user:oidc-user');
    expect(page.url()).not.toContain('code=');
    const asked = idp.authorizations.at(-1)!;
    expect(asked.get('redirect_uri')).toBe(`${url}/`);
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.close();
  });

  it('submits the hello example through the form, follows it waiting → running → completed without a reload, and shows worker-1 rank=1 world=2', async () => {
    const hello = exampleSpec('hello');
    const page = await open('#/submit');
    await page.getByLabel('Name (required)').fill(hello.metadata.name);
    await page.getByLabel('Description').fill(hello.metadata.description);
    await page.getByLabel('Start command').fill(hello.algorithm.command);
    await page.getByLabel('Code directory').fill(hello.algorithm.codeDir);
    await page.getByLabel('Hyperparameters').fill(hello.algorithm.parameters.map((p: any) => `${p.name}=${p.value}`).join('\n'));
    await page.getByLabel('vCPU per instance (required)').fill(String(hello.spec.resource.flavor.cpu));
    await page.getByLabel('Memory per instance (MiB) (required)').fill(String(hello.spec.resource.flavor.memoryMiB));
    await page.getByLabel('Instances').fill(String(hello.spec.resource.nodeCount));
    await page.getByLabel('Priority').selectOption(String(hello.spec.priority));
    await checkPage(page, 'submit');
    // The form's spec is the example's spec.
    await page.getByRole('tab', { name: 'YAML' }).click();
    expect(parse(await page.getByLabel('Job spec (YAML)').inputValue())).toEqual(hello);
    await page.getByRole('tab', { name: 'Form' }).click();

    // Every state the page shows, recorded as it changes; a reload would lose the marker.
    await page.evaluate(() => {
      const w = globalThis as any;
      w.__states = [];
      w.__sameDocument = true;
      new w.MutationObserver(() => {
        const s = w.document.querySelector('[data-testid=job-state]')?.getAttribute('data-state');
        if (s && w.__states.at(-1) !== s) w.__states.push(s);
      }).observe(w.document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    // Both nodes busy: the example waits in the queue (a state one can watch), and runs when they free.
    const { body: hog } = await t.api.call('POST', '/v1/training-jobs', { ...shellJob('hog', 'sleep 120', 2), spec: { resource: { flavor: { cpu: 2, memoryMiB: 128 }, nodeCount: 2 } } });
    await t.api.waitFor(hog.id, 'running');
    await page.getByRole('button', { name: 'Submit', exact: true }).click();
    await page.locator('[data-testid=job-state][data-state=waiting]').waitFor();
    await page.getByTestId('wait-reason').waitFor({ timeout: 15_000 });
    expect(await page.locator('.wait').innerText()).toMatch(/Queue position\s+1/);
    await checkPage(page, 'job-waiting');
    expect((await t.api.call('POST', `/v1/training-jobs/${hog.id}/stop`)).status).toBe(202);
    await page.locator('[data-testid=job-state][data-state=completed]').waitFor({ timeout: 60_000 });
    const states: string[] = await page.evaluate(() => (globalThis as any).__states);
    expect(states).toEqual(['waiting', 'running', 'completed']);
    expect(await page.evaluate(() => (globalThis as any).__sameDocument)).toBe(true);
    const id = /#\/jobs\/([^?]+)/.exec(page.url())![1];
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await expect.poll(() => page.locator('table').last().innerText()).toMatch(/worker-1\s+succeeded\s+node-\d\s+1\s+1\s+0/);
    await checkPage(page, 'job-overview');

    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByLabel('Task').selectOption('worker-1');
    const log = page.getByTestId('log-lines');
    await expect.poll(() => log.innerText(), { timeout: 15_000 }).toContain('rank=1 world=2');
    await page.getByLabel('Search the loaded lines').fill('LOSS');
    await expect.poll(() => log.locator('mark').count()).toBe(3);
    expect(await page.locator('#log-hits').textContent()).toBe('1 of 3 matches');
    await page.getByRole('button', { name: 'Next match' }).click();
    expect(await page.locator('#log-hits').textContent()).toBe('2 of 3 matches');
    const downloaded = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download worker-1 log' }).click();
    expect((await downloaded).suggestedFilename()).toBe(`modelarts-job-${id}-worker-1.log`);
    await checkPage(page, 'job-logs');

    await page.getByRole('tab', { name: 'Events' }).click();
    await page.getByText('训练作业运行成功').waitFor();
    await page.getByText('Training job ran successfully').waitFor();
    await checkPage(page, 'job-events');

    await page.getByRole('tab', { name: 'Fault recovery' }).click();
    await page.getByRole('heading', { name: 'Run 1' }).waitFor();
    expect(await page.locator('.flow .stage').allInnerTexts()).toEqual([
      expect.stringContaining('作业调度'), expect.stringContaining('环境准备'), expect.stringContaining('作业运行'), expect.stringContaining('作业结束'),
    ]);
    await checkPage(page, 'job-recovery');

    await page.getByRole('tab', { name: 'Monitoring' }).click();
    await page.locator('figure.chart figcaption', { hasText: 'CPU usage' }).waitFor({ timeout: 15_000 });
    await checkPage(page, 'job-monitoring');

    await page.getByRole('tab', { name: 'Spec' }).click();
    expect(parse(await page.getByLabel('Job spec as YAML').innerText())).toMatchObject({ metadata: { name: 'hello' }, spec: { resource: { nodeCount: 2 } } });
    await checkPage(page, 'job-spec');
    await page.close();
  });

  it('shows the API\'s error for a bad name at the name field, and submits nothing', async () => {
    const before = (await t.api.call('GET', '/v1/training-jobs')).body.total;
    const page = await open('#/submit');
    await page.getByLabel('Name (required)').fill('bad name!');
    await page.getByLabel('Start command').fill('true');
    await page.getByRole('button', { name: 'Submit', exact: true }).click();
    const name = page.getByLabel('Name (required)');
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    // The very message the API gives for metadata.name.
    const refusal = await t.api.call('POST', '/v1/training-jobs', { kind: 'job', metadata: { name: 'bad name!' }, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 1024 }, nodeCount: 1 }, priority: 1 } });
    const expected = refusal.body.error.details.filter((d: any) => d.path === 'metadata.name').map((d: any) => d.message).join('; ');
    expect(expected).not.toBe('');
    expect(await page.getByTestId('job-name-error').textContent()).toBe(expected);
    expect((await name.getAttribute('aria-describedby'))!.split(' ')).toContain('job-name-error');
    expect(await page.getByLabel('Start command').getAttribute('aria-invalid')).toBeNull();
    expect(page.url()).toContain('#/submit');
    // The refused POST is the one error the browser logs.
    expect(page.errors).toEqual([expect.stringContaining('status of 400')]);
    page.errors.length = 0;
    await checkPage(page, 'submit-error');
    expect((await t.api.call('GET', '/v1/training-jobs')).body.total).toBe(before);
    await page.close();
  });

  it('explains why a job waits (code, queue position, what is short), changes its priority, stops a running job after a typed YES and deletes it after a typed DELETE', async () => {
    const sized = (name: string, command: string, nodeCount: number) => ({ ...shellJob(name, command, nodeCount), spec: { resource: { flavor: { cpu: 2, memoryMiB: 128 }, nodeCount } } });
    const { body: hog } = await t.api.call('POST', '/v1/training-jobs', sized('hog', 'sleep 120', 2));
    // The hog holds both nodes: if this test fails, let the next ones have them.
    onTestFailed(async () => void (await t.api.call('POST', `/v1/training-jobs/${hog.id}/stop`)));
    await t.api.waitFor(hog.id, 'running');
    const { body: queued } = await t.api.call('POST', '/v1/training-jobs', sized('queued', 'true', 1));
    const page = await open(`#/jobs/${queued.id}`);
    await page.getByRole('heading', { name: 'Why waiting' }).waitFor();
    await page.getByTestId('wait-reason').waitFor({ timeout: 15_000 });
    const why = await page.locator('.wait').innerText();
    expect(why).toMatch(/Queue position\s+1/);
    expect(why).toMatch(/vCPU\s+2/);
    // The priority's answer reaches the page only once it shows another job (as it did once under load,
    // and the late refresh put this job back on the hog's page, so Stop stopped the wrong job).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(`**/v1/training-jobs/${queued.id}/priority`, async (route) => route.fulfill({ response: await route.fetch().then(async (res) => (await held, res)) }));
    await page.getByLabel('Priority').selectOption('2');
    await page.getByRole('button', { name: 'Set priority' }).click();
    await eventually(async () => ((await t.api.call('GET', `/v1/training-jobs/${queued.id}`)).body.priority === 2 ? true : undefined));

    await page.goto(`${url}/#/jobs/${hog.id}`);
    await page.locator('[data-testid=job-state][data-state=running]').waitFor();
    release();
    await page.waitForResponse((r) => r.url().endsWith(`/${queued.id}/priority`));
    await new Promise((r) => setTimeout(r, 1000)); // longer than the page's refresh delay (150 ms) and a read
    await page.unroute(`**/v1/training-jobs/${queued.id}/priority`);
    expect(await page.getByRole('heading', { level: 1 }).innerText(), page.sent.slice(-8).join('\n')).toBe('hog');
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Stop the job' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type YES to confirm').fill('YES');
    await checkPage(page, 'job-stop-dialog');
    // A CI run once saw no answer to this stop within 30 s (not reproduced since): say what was in flight.
    const sent = page.sent.length;
    const unanswered = async (err: Error) => new Error(`${err.message}; sent since: ${page.sent.slice(sent).join(', ') || 'nothing'}; dialog: ${await dialog.innerHTML({ timeout: 1000 }).catch(() => 'gone')}; in flight: ${[...page.inflight].join(', ') || 'nothing'}; confirm enabled: ${await confirm.isEnabled({ timeout: 1000 }).catch(() => 'gone')}; the API says ${JSON.stringify((await t.api.call('GET', `/v1/training-jobs/${hog.id}`)).body)}`);
    const stopped = page.waitForResponse((r) => r.url().endsWith(`/v1/training-jobs/${hog.id}/stop`));
    stopped.catch(() => undefined); // awaited below; a click that fails first must not leave it unhandled
    await confirm.click({ timeout: 20_000 }).catch(async (err) => { throw await unanswered(err); });
    expect((await stopped.catch(async (err) => { throw await unanswered(err); })).status()).toBe(202);
    await page.locator('[data-testid=job-state][data-state=terminated]').waitFor({ timeout: 30_000 }).catch(async (err) => {
      throw new Error(`${err.message}; the API says ${JSON.stringify((await t.api.call('GET', `/v1/training-jobs/${hog.id}`)).body)}`);
    });
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Type DELETE to confirm').fill('DELETE');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete the job' }).click();
    await page.getByRole('heading', { name: 'Training jobs' }).waitFor();
    expect((await t.api.call('GET', `/v1/training-jobs/${hog.id}`)).status).toBe(404);
    await t.api.waitFor(queued.id, 'completed');
    await page.close();
  });

  it('lists jobs live: a job submitted elsewhere appears without a reload; filters by name, state and tag; pages', async () => {
    const page = await open('#/jobs');
    await page.getByText('Live').waitFor();
    await checkPage(page, 'jobs');
    const tagged = shellJob('tagged-run', 'sleep 1', 1);
    tagged.metadata.tags = [{ key: 'team', value: 'vision' }];
    const { body: job } = await t.api.call('POST', '/v1/training-jobs', tagged);
    const row = page.locator(`tr[data-job="${job.id}"]`);
    await row.waitFor();
    await row.locator('[data-state=completed]').waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toContain('default');

    await page.getByLabel('Name').fill('tagged');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Name').fill('');
    await page.getByLabel('Tag').fill('team=vision');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('tbody tr[data-job]').count()).toBe(1);
    await page.getByLabel('Tag').fill('team=speech');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No jobs match.').waitFor();
    await page.getByLabel('Tag').fill('');
    await page.getByLabel('State').selectOption('completed');
    await expect.poll(() => page.evaluate(() => (globalThis as any).location.hash)).toContain('state=completed');
    await expect.poll(async () => (await page.locator('tbody [data-state]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).join()).toMatch(/^completed(,completed)*$/);

    // 20 a page: 21 more jobs make a second page.
    await Promise.all(Array.from({ length: 21 }, (_, i) => t.api.call('POST', '/v1/training-jobs', shellJob(`bulk-${i}`, 'true', 1))));
    await page.getByLabel('State').selectOption('');
    await expect.poll(() => page.locator('.pager span').innerText(), { timeout: 15_000 }).toMatch(/Page 1 of 2/);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => page.evaluate(() => (globalThis as any).location.hash)).toContain('page=2');
    await expect.poll(() => page.locator('tbody tr[data-job]').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('is usable from the keyboard: skip link, navigation, tabs with the arrow keys', async () => {
    const page = await open('#/jobs');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe('Skip to content');
    let guard = 0;
    while ((await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)) !== 'Nodes and pools' && guard++ < 10) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Nodes and pools' }).waitFor();
    await page.goto(`${url}/#/submit`);
    await page.getByRole('tab', { name: 'Form' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByLabel('Job spec (YAML)').waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('role'))).toBe('tab');
    await checkPage(page, 'submit-yaml');
    await page.close();
  });

  it('lets an operator cordon a node (and put it back), with its isolation reason shown', async () => {
    const page = await open('#/nodes');
    await page.getByRole('heading', { name: 'Pools', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Cordon node-2', exact: true }).waitFor();
    await checkPage(page, 'nodes');
    await page.getByRole('button', { name: 'Cordon node-2', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (optional)').fill('disk check');
    await checkPage(page, 'nodes-cordon-dialog');
    await dialog.getByRole('button', { name: 'Cordon the node' }).click();
    await page.getByTestId('availability-node-2').waitFor();
    expect(await page.getByTestId('availability-node-2').textContent()).toBe('isolated');
    expect(await page.getByTestId('isolation-node-2').innerText()).toMatch(/operator: disk check\s+by user:admin/);
    expect((await t.api.call('GET', '/v1/nodes')).body.items.find((n: any) => n.id === 'node-2').availability).toBe('isolated');
    await page.getByRole('button', { name: 'Uncordon node-2', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Put the node back' }).click();
    await page.getByRole('button', { name: 'Cordon node-2', exact: true }).waitFor();
    expect((await t.api.call('GET', '/v1/nodes')).body.items.find((n: any) => n.id === 'node-2').availability).toBeNull();
    await page.close();
  });

  // Issue 11's roles: a member of the project may read nodes but not operate them.
  it('does not give a member the cordon, drain or uncordon buttons', async () => {
    const memberToken = (await t.api.call('POST', '/v1/admin/tokens', { roles: ['member'], project: 'default', subject: 'user:mo' })).body.token as string;
    const page = await browser.page();
    await page.goto(`${url}/#/login`);
    await page.getByLabel('API token').fill(memberToken);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.goto(`${url}/#/nodes`);
    await page.getByRole('heading', { name: 'Nodes', exact: true }).waitFor();
    await page.locator('tr[data-node="node-2"]').waitFor(); // the nodes are listed: a member may read them
    const me: any = await page.evaluate(async (token) => (await fetch('/v1/me', { headers: { authorization: `Bearer ${token}` } })).json(), memberToken);
    expect(me.permissions).not.toContain('node:operate');
    expect(await page.getByRole('button', { name: /^(Cordon|Drain|Uncordon) / }).count()).toBe(0);
    await page.close();
  });

  it('shows the dashboard figures with their trends, and the audit of what principals did', async () => {
    const page = await open('#/dashboard');
    await expect.poll(() => page.getByTestId('success-rate').textContent()).toMatch(/%$/);
    await page.locator('figure.chart figcaption', { hasText: 'Jobs created' }).waitFor();
    await page.getByText('作业运行成功率').waitFor();
    await checkPage(page, 'dashboard');

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    await eventually(async () => ((await page.locator('tbody tr', { hasText: 'JobCreated' }).count()) > 0 ? true : undefined));
    await page.locator('tbody tr', { hasText: 'node node-2' }).first().waitFor();
    await checkPage(page, 'audit');
    await page.close();
  });
});
