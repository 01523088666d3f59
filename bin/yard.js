#!/usr/bin/env node
'use strict';
// Launcher for `yard`. The CLI is TypeScript compiled by `npm run build` (which `npm ci` runs via
// `prepare`) into dist/, keeping the source layout. `npx yard` finds the `node` devDependency's binary
// (Node 24) first on PATH; anything older than 22 lacks require(esm), which the build relies on.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`error NODE_TOO_OLD: yard needs Node.js 22 or newer (this is ${process.version}); run it as \`npx yard\` in the Trainyard checkout, which uses the Node it installs\n`);
  process.exit(1);
}
try {
  require.resolve('../dist/apps/cli/src/main.js');
} catch {
  process.stderr.write('error NOT_BUILT: yard is not built yet; run `npm run build` in the Trainyard checkout\n');
  process.exit(1);
}
require('../dist/apps/cli/src/main.js');
