import { join } from 'node:path';
import { build } from 'vite';
import { repoRoot } from './paths';

/**
 * Bundles a TypeScript entry (and the src-main code it imports) into one ES module that plain Node
 * can run, e.g. in a worker thread, which cannot load TypeScript. Packages stay external.
 *
 * @returns the path of the .mjs file
 */
export async function bundleForNode(entry: string, outDir: string, name: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'error',
    root: repoRoot,
    build: {
      ssr: entry,
      outDir,
      emptyOutDir: true,
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: `${name}.mjs` } },
    },
  });
  return join(outDir, `${name}.mjs`);
}
