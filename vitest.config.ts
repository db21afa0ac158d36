import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

/**
 * Four projects: unit (pure logic, fast), integration (real SQLite files, the
 * built CLI and browser host, real child processes), reference (DICOM decoding
 * against dcmtk and pydicom) and e2e (Chromium via playwright-core against the
 * browser host). Integration and e2e use the
 * build in out/, which `npm test` makes first.
 */
export default defineConfig({
  resolve: { alias: { '@contract': resolve(root, 'src-main/api') } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // DICOM decoding checked against dcmtk and pydicom (apt-get install -y dcmtk python3-pydicom).
        extends: true,
        test: {
          name: 'reference',
          include: ['tests/reference/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
