// Module boundaries (docs/architecture.md, "Module boundaries"), checked by `npm run check:boundaries`
// on every `npm test` and so in .ci/run. The rules come from the Nx tags in each apps/*/project.json
// and libs/*/project.json: a new app or lib declares one `type:*` tag and is checked at once.
const fs = require('node:fs');
const path = require('node:path');

/**
 * Which libs each type of project may import (by their type tag), and whether it must stay pure.
 * Apps are no one's dependency: libs never import apps; an app imports another app only if it is a
 * `type:composition` (the all-in-one), and then only through `apps/<app>/src/index.ts`.
 */
const TYPES = {
  // Pure (contracts ← domain ← scheduling): no I/O, no node builtins, no npm package, no impure lib.
  'type:util': { mayImport: ['type:util'], pure: true },
  'type:domain': { mayImport: ['type:util', 'type:domain'], pure: true },
  'type:planning': { mayImport: ['type:util', 'type:domain', 'type:planning'], pure: true },
  // Libs that do I/O: the event log, the read models, telemetry, transports, replica plumbing.
  'type:infra': { mayImport: ['type:util', 'type:domain', 'type:planning', 'type:infra'] },
  // Fixtures over real servers and builders for tests: may import any lib; only test code imports it.
  'type:testing': { mayImport: ['type:util', 'type:domain', 'type:planning', 'type:infra', 'type:testing'] },
  'type:app': { mayImport: ['type:util', 'type:domain', 'type:planning', 'type:infra'] },
  'type:composition': { mayImport: ['type:util', 'type:domain', 'type:planning', 'type:infra'] },
};

/**
 * npm packages a pure lib may import; one added here must do no I/O and hold no global state.
 * TypeBox: the wire schema of libs/contracts (plain JSON Schema objects; its format registry is unused).
 */
const PURE_NPM_ALLOWED = ['@sinclair/typebox'];

/** Test code: specs and app-local fixtures. Exempt from purity; never imported by production code. */
const TEST = '\\.(spec|fixture)\\.ts$';
/** An app's public surface. */
const INDEX = '^apps/[^/]+/src/index\\.ts$';

function readProjects() {
  const projects = [];
  for (const dir of ['apps', 'libs']) {
    for (const name of fs.readdirSync(dir).sort()) {
      const root = `${dir}/${name}`;
      if (!fs.statSync(root).isDirectory()) continue;
      const file = path.join(root, 'project.json');
      if (!fs.existsSync(file)) throw new Error(`module boundaries: ${root} has no project.json (it must declare one of the tags ${Object.keys(TYPES).join(', ')})`);
      const tags = JSON.parse(fs.readFileSync(file, 'utf8')).tags ?? [];
      const types = tags.filter((t) => t.startsWith('type:'));
      if (types.length !== 1 || !TYPES[types[0]]) {
        throw new Error(`module boundaries: ${file} must have exactly one of the tags ${Object.keys(TYPES).join(', ')}; it has ${JSON.stringify(tags)}`);
      }
      const type = types[0];
      const isApp = type === 'type:app' || type === 'type:composition';
      if (isApp !== (dir === 'apps')) throw new Error(`module boundaries: ${root} is tagged ${type}, which does not belong under ${dir}/`);
      projects.push({ root, type });
    }
  }
  return projects;
}

const projects = readProjects();
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const rootsOf = (pred) => projects.filter(pred).map((p) => escape(p.root));
const NOTHING = '^(?!)';
const anyOf = (roots) => (roots.length ? `^(${roots.join('|')})/` : NOTHING);
const testingRoots = rootsOf((p) => p.type === 'type:testing');
const compositionRoots = rootsOf((p) => p.type === 'type:composition');
const productionLibRoots = rootsOf((p) => p.root.startsWith('libs/') && p.type !== 'type:testing');

// One rule per type: what its projects may import of the libs (testing has a rule of its own).
const typeRules = Object.entries(TYPES)
  .filter(([type]) => projects.some((p) => p.type === type))
  .map(([type, { mayImport }]) => ({
    name: `${type} may import only ${mayImport.join(', ')}`,
    comment: 'The allowed imports of each type tag are listed in .dependency-cruiser.cjs (TYPES).',
    severity: 'error',
    from: { path: `^(${rootsOf((p) => p.type === type).join('|')})/` },
    to: { path: '^libs/', pathNot: [`^$1/`, anyOf(rootsOf((p) => mayImport.includes(p.type))), anyOf(testingRoots)] },
  }));

const pureRoots = rootsOf((p) => TYPES[p.type].pure);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'libs never import apps',
      comment: 'An app is the top of the graph; what a lib needs of it belongs in a lib. Spec files too.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps never import other apps',
      comment: 'Shared code goes to a lib. Only a type:composition app (the all-in-one) composes other apps.',
      severity: 'error',
      from: { path: '^(apps/[^/]+)/', pathNot: [TEST, anyOf(compositionRoots)] },
      to: { path: '^apps/', pathNot: '^$1/' },
    },
    {
      name: 'the all-in-one imports other apps only through their src/index.ts',
      comment: 'A type:composition app composes the other apps from their public surface.',
      severity: 'error',
      from: { path: compositionRoots.length ? `^(${compositionRoots.join('|')})/` : NOTHING },
      to: { path: '^apps/', pathNot: ['^$1/', INDEX] },
    },
    {
      name: 'an app spec imports another app only through its src/index.ts',
      comment: 'A spec that drives another app (the log router fed by the agent) sees its public surface.',
      severity: 'error',
      from: { path: `^(apps/[^/]+)/.*${TEST}` },
      to: { path: '^apps/', pathNot: ['^$1/', INDEX] },
    },
    ...typeRules,
    {
      name: 'production code never imports libs/testing',
      comment: 'Test fixtures are for specs (and fixtures) only.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: [TEST, anyOf(testingRoots)] },
      to: { path: anyOf(testingRoots) },
    },
    {
      name: 'production code never imports a fixture',
      comment: 'An app-local *.fixture.ts serves the specs beside it.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: TEST },
      to: { path: TEST },
    },
    {
      name: 'production code never imports a test framework',
      comment: 'Code that needs vitest or fast-check is test code: a spec, or a fixture in libs/testing.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: [TEST, anyOf(testingRoots)] },
      to: { path: '(^|/)node_modules/(vitest|@vitest/[^/]+|fast-check)/' },
    },
    {
      name: 'test fixtures live in libs/testing',
      comment: 'No testing/, test-support/ or fixtures/ folder, nor a *fixture(s).ts file, inside a production lib.',
      severity: 'error',
      from: { path: `${anyOf(productionLibRoots)}.*(/(testing|test-support|fixtures?)/|[-.]fixtures?\\.ts$)` },
      to: {},
    },
    {
      name: 'pure libs import no node builtins',
      comment: 'type:util, type:domain and type:planning do no I/O (spec files exempt).',
      severity: 'error',
      from: { path: anyOf(pureRoots), pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'pure libs import no npm packages',
      comment: 'Not @nestjs/*, @nats-io/*, kysely, pg, @electric-sql/*, dockerode, pino…; see PURE_NPM_ALLOWED.',
      severity: 'error',
      from: { path: anyOf(pureRoots), pathNot: TEST },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'],
        ...(PURE_NPM_ALLOWED.length ? { pathNot: `(^|/)node_modules/(${PURE_NPM_ALLOWED.map(escape).join('|')})/` } : {}),
      },
    },
    {
      name: 'every import resolves',
      comment: 'An import the checker cannot resolve would escape every rule above.',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // Only the build output: an exclude on node_modules would also drop the imports of npm packages.
    exclude: { path: '^dist/' },
    // Type-only imports count: a pure lib that names an impure package's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      // .tsx and .mts: the web console (apps/console) and its Vite config.
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.mts', '.cjs', '.json'],
      mainFields: ['types', 'typings', 'module', 'main'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
