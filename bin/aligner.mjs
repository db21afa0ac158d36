#!/usr/bin/env node
// The `aligner` command: runs the CLI that `npm run build` bundles into out/main.
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('aligner: the app is not built yet; run `npm run build:only` (or `npm run build`) first\n');
  process.exit(2);
}
await import(cli.href);
