import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStaticFile } from '../../src-main/hosts/web/static-files';
import { tempDir } from '../helpers/paths';

const dir = tempDir();
const root = join(dir.path, 'renderer');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<html>app</html>');
writeFileSync(join(root, 'assets', 'a.js'), 'console.log(1)');
writeFileSync(join(dir.path, 'secret.txt'), 'patient data');
afterAll(() => dir.remove());

describe('readStaticFile', () => {
  it('serves files with their content type', async () => {
    const file = await readStaticFile(root, '/assets/a.js');
    expect(file?.contentType).toMatch(/^text\/javascript/);
    expect(file?.body.toString()).toBe('console.log(1)');
  });

  it('serves index.html for the root and for extension-less app routes', async () => {
    expect((await readStaticFile(root, '/'))?.body.toString()).toBe('<html>app</html>');
    expect((await readStaticFile(root, '/settings'))?.body.toString()).toBe('<html>app</html>');
  });

  it('answers null for a missing asset', async () => {
    expect(await readStaticFile(root, '/assets/missing.js')).toBeNull();
  });

  it('never leaves the root, encoded or not', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00', '/%E0%A4%A']) {
      const file = await readStaticFile(root, path);
      expect(file?.body.toString() ?? null, path).not.toBe('patient data');
    }
  });
});
