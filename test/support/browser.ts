import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';

/** Debian's chromium, never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Screenshots are test artifacts (gitignored). */
export const ARTIFACTS = resolve(__dirname, '../../test-results/console');

export type TestPage = Page & { errors: string[]; inflight: Set<string>; sent: string[] };

export interface Browser extends AsyncDisposable {
  context: BrowserContext;
  /**
   * A new tab at 1280×720 that records the console errors it logs (a CSP refusal among them) and the
   * requests it has in flight (named in a test's failure when a response never comes).
   */
  page(): Promise<TestPage>;
}

/** Headless chromium with a fresh profile of its own, removed when disposed. */
export async function startBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'trainyard-chromium-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 720 } });
  return {
    context,
    async page() {
      const page = (await context.newPage()) as TestPage;
      page.errors = [];
      page.inflight = new Set();
      page.sent = [];
      page.on('request', (r) => (page.inflight.add(`${r.method()} ${r.url()}`), page.sent.push(`${r.method()} ${r.url()}`)));
      const done = (r: Request) => page.inflight.delete(`${r.method()} ${r.url()}`);
      page.on('requestfinished', done);
      page.on('requestfailed', done);
      page.on('console', (m) => m.type() === 'error' && page.errors.push(m.text()));
      page.on('pageerror', (e) => page.errors.push(e.message));
      return page;
    },
    async [Symbol.asyncDispose]() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does not
 * govern) and returns its serious and critical violations, each as `rule: target…`.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const g = globalThis as any;
    const result = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 5) }));
  });
  return violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`);
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
