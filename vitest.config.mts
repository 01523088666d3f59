import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  // SWC (not esbuild) compiles the tests so NestJS decorator metadata exists at run time. The build's
  // .swcrc excludes specs and emits CommonJS, so the plugin gets its own options instead.
  plugins: [
    swc.vite({
      swcrc: false,
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2023',
        keepClassNames: true,
      },
    }),
  ],
  resolve: {
    alias: {
      // Before '@trainyard/testing': the test fixtures of one lib each (libs/testing/src/<lib>/index.ts).
      '@trainyard/testing/': fileURLToPath(new URL('./libs/testing/src/', import.meta.url)),
      '@trainyard/contracts': lib('contracts'),
      '@trainyard/quarantine': lib('quarantine'),
      '@trainyard/domain': lib('domain'),
      '@trainyard/event-log': lib('event-log'),
      '@trainyard/db': lib('db'),
      '@trainyard/scheduling': lib('scheduling'),
      '@trainyard/history': lib('history'),
      '@trainyard/liveness': lib('liveness'),
      '@trainyard/replica': lib('replica'),
      '@trainyard/node-reports': lib('node-reports'),
      '@trainyard/transport-jetstream': lib('transport-jetstream'),
      '@trainyard/testing': lib('testing'),
      '@trainyard/telemetry': lib('telemetry'),
    },
  },
  test: {
    // Services log JSON lines at info; tests want only what went wrong.
    env: { TY_LOG_LEVEL: process.env.TY_LOG_LEVEL ?? 'warn' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{apps,libs}/**/*.spec.ts'],
          exclude: ['**/*.int.spec.ts', '**/*.e2e.spec.ts', 'node_modules/**', 'dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{apps,libs,test}/**/*.int.spec.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.spec.ts'],
          exclude: ['test/cluster/**', 'node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // End-to-end suites start whole clusters; one at a time keeps a 2-core machine honest.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The multi-host suite (issue 12): 13 namespaces and four faults with 100 jobs each take
          // 5–7 minutes, more than an e2e file may; a project of its own, still run by `npm test`.
          name: 'cluster',
          include: ['test/cluster/**/*.e2e.spec.ts'],
          testTimeout: 240_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
