import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

const alias = {
  '@trainyard/contracts': lib('contracts'),
  '@trainyard/domain': lib('domain'),
  '@trainyard/event-log': lib('event-log'),
  '@trainyard/db': lib('db'),
  '@trainyard/runtime': lib('runtime'),
  '@trainyard/testing': lib('testing'),
};

// SWC (not esbuild) compiles the tests so NestJS decorator metadata exists at run time.
const plugins = [swc.vite({ jsc: { target: 'es2023' } })];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['{apps,libs}/**/*.spec.ts'],
          exclude: ['**/*.int.spec.ts', '**/*.e2e.spec.ts', 'node_modules/**', 'dist/**'],
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{apps,libs,test}/**/*.int.spec.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // End-to-end suites start whole clusters; running them one at a time keeps a 2-core box honest.
          fileParallelism: false,
        },
      },
    ],
  },
});
