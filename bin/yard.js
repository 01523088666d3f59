#!/usr/bin/env node
'use strict';
// Launcher for `yard`. The CLI is TypeScript compiled by `npm run build` (which `npm ci` runs via
// `prepare`) into dist/, keeping the source layout.
try {
  require.resolve('../dist/apps/cli/src/main.js');
} catch {
  process.stderr.write('error NOT_BUILT: yard is not built yet; run `npm run build` in the Trainyard checkout\n');
  process.exit(1);
}
require('../dist/apps/cli/src/main.js');
