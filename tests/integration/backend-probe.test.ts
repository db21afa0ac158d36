import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeInChild } from '../../src-main/core/compute/probe-client';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import { nodeLauncher } from '../../src-main/core/process/launcher';
import { outMain, requireBuild, tempDir } from '../helpers/paths';

describe('compute backend selection', () => {
  it('runs in a child process and reports a working backend with the reasons for skipping better ones', async () => {
    requireBuild();
    const report = await probeInChild(nodeLauncher, join(outMain, 'compute-probe.js'), 'auto');
    expect(report.chosen).not.toBeNull();
    expect(report.device).toBeTruthy();
    expect(report.matmulGflops).toBeGreaterThan(0);
    const order = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
    expect(report.attempts.map((a) => a.backend)).toEqual(order.slice(0, order.indexOf(report.chosen ?? '') + 1));
    for (const skipped of report.attempts.slice(0, -1)) expect(skipped.reason).toMatch(/\S/);
  });

  it('tries only the named backend and says why it is unusable', async () => {
    const report = await selectBackend('tensorflow-gpu');
    expect(report.attempts.map((a) => a.backend)).toEqual(['tensorflow-gpu']);
    if (report.chosen === null) {
      expect(report.attempts[0]?.reason).toMatch(/not installed|libtensorflow|CUDA/);
    } else {
      expect(report.device).toMatch(/GPU/);
    }
  });

  it('fails cleanly when the probe process crashes', async () => {
    const dir = tempDir();
    try {
      const crashing = join(dir.path, 'crash.mjs');
      writeFileSync(crashing, 'process.exit(3);');
      await expect(probeInChild(nodeLauncher, crashing, 'auto')).rejects.toThrow(/exited \(code 3\) before answering/);
      const silent = join(dir.path, 'hang.mjs');
      writeFileSync(silent, 'setInterval(() => {}, 1000);');
      await expect(probeInChild(nodeLauncher, silent, 'auto', 500)).rejects.toThrow(/did not answer/);
    } finally {
      dir.remove();
    }
  });
});
