#!/usr/bin/env node
/**
 * Builds the native sgemm addon (gemm.c → build/Release/aligner_gemm.node) with npm's node-gyp; run by
 * `npm ci` (postinstall) and `npm run build:native`. A failed build is not an error: the wasm backend then keeps
 * XNNPACK's matrix products (slower; src-main/core/compute/native-gemm.ts), and this prints why and how to fix it.
 * Needs a C compiler, make and OpenBLAS's headers (Debian: g++ make libopenblas-dev).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = dirname(dirname(process.execPath));
const nodeGyp = [
  process.env.npm_config_node_gyp,
  join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((p) => p && existsSync(p));

function fail(reason) {
  console.warn(`aligner: native sgemm not built: ${reason}`);
  console.warn(
    'aligner: training on the wasm backend still works, with its slower XNNPACK products. To build it: ' +
      'apt-get install g++ make libopenblas-dev && npm run build:native',
  );
  process.exit(0);
}

if (process.env.ALIGNER_NATIVE_GEMM === 'off') fail('ALIGNER_NATIVE_GEMM=off');
if (!nodeGyp) fail("npm's node-gyp not found (npm_config_node_gyp unset)");
const args = [nodeGyp, 'rebuild', '--directory', here];
// Node's own headers, where Node was installed with them (Debian, NodeSource), so node-gyp needs no download.
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
if (result.status !== 0) {
  const lines = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.split('\n');
  const error = lines.find((l) => /error|not found|No such file/i.test(l) && !l.startsWith('gyp info')) ?? '';
  fail(`node-gyp exited ${result.status ?? result.signal}: ${error.trim() || 'see `npm run build:native`'}`);
}
console.log(`aligner: native sgemm built (${join(here, 'build', 'Release', 'aligner_gemm.node')})`);
