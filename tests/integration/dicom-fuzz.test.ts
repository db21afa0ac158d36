import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomParser } from '../../src-main/core/dicom/dicom-parser-lib';
import { bundleForNode } from '../helpers/dicom-bundle';
import { readCorpusFile } from '../helpers/dicom-corpus';
import type { FuzzReply, FuzzRequest } from '../helpers/dicom-fuzz-worker';
import { prng, randomInt } from '../helpers/dicom-prng';
import { artifactsDir, repoRoot } from '../helpers/paths';

/**
 * Mutates valid files of every encoding (bytes flipped, element and fragment lengths corrupted,
 * truncated, chunks cut out) and checks that parse + decode either gives a well-formed image or
 * throws a one-line DicomError: never another error, never a hang (each case runs in a worker
 * thread that is terminated after `caseTimeoutMs`), never a crash of the thread.
 */
const seeds = [
  'MR_small.dcm',
  'MR_small_implicit.dcm',
  'MR_small_bigendian.dcm',
  'image_dfl.dcm',
  'MR_small_RLE.dcm',
  'SC_rgb_rle_16bit_2frame.dcm',
  'JPGExtended.dcm',
  'SC_rgb_jpeg_dcmtk.dcm',
  'SC_rgb_jpeg_gdcm.dcm',
  'MR_small_jpeg_ls_lossless.dcm',
  'MR_small_jp2klossless.dcm',
  'liver_1frame.dcm',
  'rtdose.dcm',
  'SC_ybr_full_422_uncompressed.dcm',
];
const casesPerSeed = Number(process.env.DICOM_FUZZ_CASES ?? 22);
const caseTimeoutMs = 10_000;
const seed = Number(process.env.DICOM_FUZZ_SEED ?? 20261122);

type Mutation = { readonly name: string; readonly bytes: Uint8Array };

/** Offsets of the length fields of every element and fragment dicom-parser finds in `bytes`. */
function lengthFields(bytes: Uint8Array): { at: number; size: 2 | 4 }[] {
  const fields: { at: number; size: 2 | 4 }[] = [];
  let dataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes);
  } catch {
    return fields;
  }
  const base = bytes.length - dataSet.byteArray.length; // 0 unless the data set was inflated
  if (base !== 0) return fields;
  for (const element of Object.values(dataSet.elements)) {
    if (element.dataOffset >= 4)
      fields.push({ at: element.dataOffset - 4, size: 4 }, { at: element.dataOffset - 2, size: 2 });
    for (const fragment of element.fragments ?? []) fields.push({ at: fragment.position - 4, size: 4 });
  }
  return fields;
}

function mutate(original: Uint8Array, random: () => number): Mutation {
  const bytes = Uint8Array.from(original);
  const view = new DataView(bytes.buffer);
  const kind = randomInt(random, 5);
  if (kind === 0) {
    const count = 1 + randomInt(random, 8);
    for (let i = 0; i < count; i++) bytes[randomInt(random, bytes.length)] = randomInt(random, 256);
    return { name: `flip ${count} bytes`, bytes };
  }
  if (kind === 1) {
    const fields = lengthFields(original);
    const field = fields[randomInt(random, fields.length)];
    if (field) {
      const values = [0, 1, 2, 3, 0xffff, 0xfffffffe, 0xffffffff, randomInt(random, 2 ** 32), randomInt(random, 64)];
      const value = values[randomInt(random, values.length)] ?? 0;
      if (field.size === 4) view.setUint32(field.at, value >>> 0, true);
      else view.setUint16(field.at, value & 0xffff, true);
      return { name: `length at ${field.at} := ${value}`, bytes };
    }
  }
  if (kind === 2) {
    const end = randomInt(random, bytes.length);
    return { name: `truncate at ${end}`, bytes: bytes.subarray(0, end) };
  }
  if (kind === 3) {
    const start = randomInt(random, bytes.length);
    const length = 1 + randomInt(random, 64);
    return {
      name: `cut ${length} bytes at ${start}`,
      bytes: Uint8Array.from([...bytes.subarray(0, start), ...bytes.subarray(start + length)]),
    };
  }
  // A header value overwritten with a random 16-bit number (rows, columns, bits…).
  const at = 132 + randomInt(random, Math.max(1, Math.min(bytes.length, 1200) - 133));
  view.setUint16(Math.min(at, bytes.length - 2), randomInt(random, 65536), true);
  return { name: `uint16 at ${at}`, bytes };
}

let bundleDir = '';
let workerPath: string;

beforeAll(async () => {
  // Inside the repository, so that the bundle's package imports resolve from node_modules.
  mkdirSync(artifactsDir, { recursive: true });
  bundleDir = mkdtempSync(join(artifactsDir, 'dicom-fuzz-'));
  workerPath = await bundleForNode(
    join(repoRoot, 'tests', 'helpers', 'dicom-fuzz-worker.ts'),
    bundleDir,
    'fuzz-worker',
  );
});
afterAll(() => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

/** Runs cases one at a time in a worker, replacing the worker when one times out or dies. */
class FuzzRunner {
  private worker: Worker | null = null;

  private start(): Worker {
    this.worker ??= new Worker(workerPath);
    return this.worker;
  }

  run(request: FuzzRequest): Promise<FuzzReply | { type: 'timeout' | 'crash'; id: number; message: string }> {
    const worker = this.start();
    return new Promise((resolve) => {
      const done = (reply: FuzzReply | { type: 'timeout' | 'crash'; id: number; message: string }): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(reply);
      };
      const onMessage = (reply: FuzzReply): void => done(reply);
      const onError = (err: Error): void => {
        this.worker = null;
        done({ type: 'crash', id: request.id, message: err.stack ?? err.message });
      };
      const onExit = (code: number): void => {
        this.worker = null;
        done({ type: 'crash', id: request.id, message: `worker exited with ${code}` });
      };
      const timer = setTimeout(() => {
        this.worker = null;
        void worker.terminate();
        done({ type: 'timeout', id: request.id, message: `no answer in ${caseTimeoutMs} ms` });
      }, caseTimeoutMs);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage(request);
    });
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }
}

describe('DICOM fuzzing', () => {
  it(
    `parses and decodes ${seeds.length * casesPerSeed} mutated files without hangs, crashes or untyped errors`,
    { timeout: 240_000 },
    async () => {
      const runner = new FuzzRunner();
      const random = prng(seed);
      const outcomes = new Map<string, number>();
      const failures: string[] = [];
      const messages = new Set<string>();
      let id = 0;
      try {
        for (const name of seeds) {
          const original = new Uint8Array(readCorpusFile(name));
          // The unmutated file must decode: otherwise every mutation would fail trivially.
          const baseline = await runner.run({ type: 'case', id: id++, bytes: original });
          expect(baseline.type, `${name} unmutated: ${JSON.stringify(baseline)}`).toBe('decoded');
          for (let i = 0; i < casesPerSeed; i++) {
            const mutation = mutate(original, random);
            const reply = await runner.run({ type: 'case', id: id++, bytes: mutation.bytes });
            outcomes.set(reply.type, (outcomes.get(reply.type) ?? 0) + 1);
            if (reply.type === 'dicom-error') messages.add(reply.message.replace(/\d+/g, 'N'));
            if (reply.type !== 'decoded' && reply.type !== 'dicom-error') {
              failures.push(`${name} (${mutation.name}): ${JSON.stringify(reply)}`);
            }
          }
        }
      } finally {
        await runner.stop();
      }
      console.log(`dicom fuzz seed ${seed}: ${JSON.stringify(Object.fromEntries(outcomes))}`);
      if (process.env.DICOM_FUZZ_VERBOSE) console.log([...messages].sort().join('\n'));
      expect(failures, failures.join('\n\n')).toEqual([]);
      // Both outcomes occur, or the mutations are not doing anything.
      expect(outcomes.get('decoded') ?? 0).toBeGreaterThan(10);
      expect(outcomes.get('dicom-error') ?? 0).toBeGreaterThan(10);
    },
  );
});
