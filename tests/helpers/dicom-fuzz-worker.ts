/**
 * Worker thread for tests/integration/dicom-fuzz.test.ts: parses and decodes each file it is sent
 * and says how that went, so the test can stop a case that hangs by terminating the thread.
 */
import { parentPort } from 'node:worker_threads';
import {
  DicomError,
  decodeFrame,
  defaultWindow,
  parseDicom,
  toModalityValues,
  windowToUint8,
} from '../../src-main/core/dicom';

export type FuzzRequest = { readonly type: 'case'; readonly id: number; readonly bytes: Uint8Array };
export type FuzzReply =
  | { readonly type: 'decoded'; readonly id: number; readonly frames: number }
  | { readonly type: 'dicom-error'; readonly id: number; readonly message: string }
  | { readonly type: 'malformed'; readonly id: number; readonly problem: string }
  | { readonly type: 'other-error'; readonly id: number; readonly name: string; readonly message: string };

/** Checks a decoded frame against what its header promises; returns the first problem found. */
function wellFormed(
  parsed: ReturnType<typeof parseDicom>,
  stored: Awaited<ReturnType<typeof decodeFrame>>,
): string | null {
  const { meta } = parsed;
  if (stored.rows !== meta.rows || stored.columns !== meta.columns) return `size ${stored.rows}×${stored.columns}`;
  if (stored.values.length !== meta.rows * meta.columns * meta.samplesPerPixel) return `${stored.values.length} values`;
  const j2k = parsed.transferSyntax.encoding === 'jpeg-2000';
  if (!j2k && meta.bitsStored < 32) {
    const low = meta.pixelRepresentation === 1 ? -(2 ** (meta.bitsStored - 1)) : 0;
    const high = meta.pixelRepresentation === 1 ? 2 ** (meta.bitsStored - 1) - 1 : 2 ** meta.bitsStored - 1;
    for (const v of stored.values) if (v < low || v > high) return `value ${v} outside ${low}..${high}`;
  }
  const values = toModalityValues(stored, meta);
  if (values.some(Number.isNaN)) return 'NaN modality value';
  const grey = windowToUint8(values, defaultWindow(meta, values), false);
  if (grey.length !== meta.rows * meta.columns) return `${grey.length} grey pixels`;
  return null;
}

async function run(request: FuzzRequest): Promise<FuzzReply> {
  const { id } = request;
  try {
    const parsed = parseDicom(request.bytes);
    const frames = parsed.meta.numberOfFrames;
    for (const frame of new Set([0, frames - 1])) {
      const problem = wellFormed(parsed, await decodeFrame(parsed, frame));
      if (problem) return { type: 'malformed', id, problem: `frame ${frame}: ${problem}` };
    }
    return { type: 'decoded', id, frames };
  } catch (err) {
    if (err instanceof DicomError) {
      if (err.message.includes('\n') || err.message === '')
        return { type: 'malformed', id, problem: 'empty or multi-line message' };
      return { type: 'dicom-error', id, message: err.message };
    }
    const error = err instanceof Error ? err : new Error(String(err));
    const where = (error.stack ?? '').split('\n').slice(1, 4).join(' / ');
    return { type: 'other-error', id, name: error.name, message: `${error.message} at ${where}` };
  }
}

parentPort?.on('message', (request: FuzzRequest) => {
  void run(request).then((reply) => parentPort?.postMessage(reply));
});
