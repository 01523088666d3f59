import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const lib = (name: string) => here(`../../libs/${name}/src/index.ts`);

/**
 * The web console: one page, everything bundled (no CDN), built into `dist/console` where the API
 * serves it. JSX is compiled by Vite's own transform (React's automatic runtime): no plugin needed.
 * `--outDir` moves the output (the end-to-end test builds into a temporary folder).
 */
export default defineConfig({
  root: here('.'),
  base: './',
  logLevel: 'warn',
  resolve: { alias: { '@trainyard/contracts': lib('contracts'), '@trainyard/domain': lib('domain') } },
  plugins: [bundleBudget(500)],
  build: { outDir: here('../../dist/console'), emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
});

/**
 * Prints the gzipped size of the console's JavaScript after every build, and fails the build when it
 * is over `budgetKiB` (issue 13: ≤ 500 kB), so a heavy dependency cannot slip in unnoticed.
 */
function bundleBudget(budgetKiB: number): Plugin {
  return {
    name: 'trainyard-bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      let raw = 0;
      let gzipped = 0;
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        raw += Buffer.byteLength(chunk.code);
        gzipped += gzipSync(chunk.code, { level: 9 }).length;
      }
      const kib = (n: number) => (n / 1024).toFixed(1);
      console.log(`console: JavaScript ${kib(gzipped)} kB gzipped (${kib(raw)} kB minified), budget ${budgetKiB} kB`);
      if (gzipped > budgetKiB * 1024) this.error(`the console's JavaScript is ${kib(gzipped)} kB gzipped, over its ${budgetKiB} kB budget`);
    },
  };
}
