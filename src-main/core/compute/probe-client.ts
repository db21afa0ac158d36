import { z } from 'zod';
import { backendReportSchema, type BackendReport } from '../../api/contract';
import type { ProcessLauncher } from '../process/launcher';
import type { BackendPreference } from './backend-names';

const probeMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('report'), report: backendReportSchema }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);

/**
 * Runs the backend selection in a child process (`compute-probe.js`) and
 * returns its report. A child that crashes or hangs is an error, not a hang.
 */
export function probeInChild(
  launcher: ProcessLauncher,
  probeModulePath: string,
  preference: BackendPreference,
  timeoutMs = 120_000,
): Promise<BackendReport> {
  return new Promise((resolve, reject) => {
    const child = launcher(probeModulePath, [preference]);
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`backend probe did not answer within ${timeoutMs / 1000} s`)));
      child.kill();
    }, timeoutMs);
    child.onMessage((raw) => {
      const message = probeMessageSchema.safeParse(raw);
      if (!message.success) return;
      if (message.data.type === 'report') {
        const report = message.data.report;
        settle(() => resolve(report));
      } else {
        const text = message.data.message;
        settle(() => reject(new Error(`backend probe failed: ${text}`)));
      }
    });
    child.onExit((code) => settle(() => reject(new Error(`backend probe exited (code ${code}) before answering`))));
  });
}
