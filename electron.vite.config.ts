import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;

/**
 * Non-default folders need explicit entries (see ENVIRONMENT.md): the main build
 * also bundles the plain-Node entry points (CLI, browser host, child processes)
 * so that `npm run build` produces every runnable file under out/main.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // tfjs-core's gradient registrations exist only as ES sources with extensionless imports, which Node
      // cannot load: bundle tfjs-core (its engine and registries live on the global object, so the backend
      // packages, loaded as CommonJS, share them).
      externalizeDeps: { exclude: ['@tensorflow/tfjs-core'] },
      rollupOptions: {
        input: {
          index: resolve(root, 'src-main/index.ts'),
          cli: resolve(root, 'src-main/cli/main.ts'),
          web: resolve(root, 'src-main/hosts/web/main.ts'),
          'compute-probe': resolve(root, 'src-main/core/compute/probe-process.ts'),
          'trainer-process': resolve(root, 'src-main/core/training/trainer-process.ts'),
          'import-decode-worker': resolve(root, 'src-main/core/library/import/decode-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only electron: bundle zod into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: resolve(root, 'src-main/preload.ts') },
        // A sandboxed preload cannot be an ES module: emit CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
    // The renderer reaches the app through the API contract; the one piece of core it shares is the pure chart
    // and table builders of the Fairness view (no DOM, no Node), which a report exporter in Node uses as well.
    resolve: {
      alias: {
        '@contract': resolve(root, 'src-main/api'),
        '@charts': resolve(root, 'src-main/core/evaluation/charts'),
      },
    },
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
  },
});
