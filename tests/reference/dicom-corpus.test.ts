import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DicomError, decodeFrame, parseDicom, transferSyntax, type StoredPixels } from '../../src-main/core/dicom';
import { pydicomCorpusDir, requireTool, runReference } from '../helpers/dicom-corpus';
import { dcmdumpHeader, dcmtkDecompress, dcmtkDecompressor } from '../helpers/dicom-dcmtk';
import { tempDir } from '../helpers/paths';

/**
 * Every file of pydicom's test corpus that has Pixel Data in a transfer syntax this library decodes
 * is checked against two independent implementations:
 * - header: rows, columns, bits allocated/stored and photometric equal dcmtk's `dcmdump`;
 * - pixels: every frame's stored values equal pydicom's (tests/reference/pydicom_reference.py), read
 *   from the file itself for native syntaxes and from dcmtk's decompression (dcmdrle, dcmdjpeg,
 *   dcmdjpls) for compressed ones. Debian's dcmtk has no JPEG 2000 decoder: those are compared
 *   with pydicom's Pillow handler (OpenJPEG 2.5) on the file itself.
 * Lossless syntaxes must match exactly; lossy ones within `lossyTolerance` (measured: 0, since
 * libjpeg-turbo and the 12-bit decoder use libjpeg's integer IDCT, as dcmdjpeg does).
 * When neither reference can decode a file, this library must refuse it with a DicomError too.
 */
const lossyTolerance = 1;

/** Files no reference can decode although this library does, with the reason. */
const referenceGaps: Record<string, string> = {
  'GDCMJ2K_TextGBR.dcm':
    'JPEG 2000 in a JP2 wrapper with a non-conformant codestream (TPsot == TNsot): Pillow/OpenJPEG 2.5 ' +
    'fails with "broken data stream", even on the bare codestream; dcmtk has no JPEG 2000 decoder',
};

/** The transfer syntaxes the library is meant to decode (issue "DICOM library"). */
const inScope = new Set([
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.5',
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
]);

const surveyRow = z.object({
  path: z.string(),
  transferSyntax: z.string().nullable().optional(),
  hasPixelData: z.boolean().optional(),
  readError: z.string().optional(),
});
const dumpReply = z.union([z.object({ shape: z.array(z.number()) }), z.object({ error: z.string() })]);

for (const tool of ['dcmdump', 'dcmdrle', 'dcmdjpeg', 'dcmdjpls']) requireTool(tool);
const corpus = pydicomCorpusDir();
const survey = runReference(['survey', corpus])
  .trim()
  .split('\n')
  .map((line) => surveyRow.parse(JSON.parse(line)));
const candidates = survey.filter(
  (row) => row.hasPixelData === true && (row.transferSyntax == null || inScope.has(row.transferSyntax)),
);
const skipped = survey
  .filter((row) => !candidates.includes(row))
  .map((row) => ({
    path: row.path,
    reason: row.readError
      ? `pydicom cannot read it (${row.readError})`
      : row.hasPixelData
        ? `transfer syntax ${row.transferSyntax} is out of scope`
        : 'no Pixel Data',
  }));

const work = tempDir('aligner-dicom-reference-');
afterAll(() => work.remove());
const measured: string[] = [];
afterAll(() => {
  console.log(`pixel comparisons (max |ours - reference|):\n  ${measured.join('\n  ')}`);
  console.log(`skipped:\n  ${skipped.map((s) => `${s.path}: ${s.reason}`).join('\n  ')}`);
});

/** All frames decoded, or the DicomError the library refused the file with. */
async function decodeAll(bytes: Uint8Array): Promise<{ frames: StoredPixels[] } | { error: DicomError }> {
  try {
    const parsed = parseDicom(bytes);
    const frames: StoredPixels[] = [];
    for (let f = 0; f < parsed.meta.numberOfFrames; f++) frames.push(await decodeFrame(parsed, f));
    return { frames };
  } catch (err) {
    if (err instanceof DicomError) return { error: err };
    throw err;
  }
}

/** pydicom's stored values of every frame of `path` (see pydicom_reference.py), or its error. */
function referenceValues(path: string, name: string): { values: Float64Array; shape: number[] } | { error: string } {
  const out = join(work.path, `${name.replace(/[^\w.-]/g, '_')}.f64`);
  const reply = dumpReply.parse(JSON.parse(runReference(['dump', path, out])));
  if ('error' in reply) return { error: `pydicom: ${reply.error}` };
  const bytes = readFileSync(out);
  return { values: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8), shape: reply.shape };
}

describe('pydicom corpus against dcmtk and pydicom', () => {
  it('finds files to check in the corpus', () => {
    expect(candidates.length).toBeGreaterThan(50);
  });

  it.each(skipped.map((row) => [row.path, row.reason] as const))(
    '%s (not an image to compare: %s) is refused with a one-line DicomError',
    (name) => {
      let thrown: unknown;
      try {
        parseDicom(readFileSync(join(corpus, name)));
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(DicomError);
      expect((thrown as Error).message).not.toContain('\n');
    },
  );

  it.each(candidates.map((row) => [row.path, row] as const))('%s', async (name, row) => {
    const path = join(corpus, name);
    const bytes = readFileSync(path);
    const ours = await decodeAll(bytes);

    const dump = dcmdumpHeader(path);
    if ('header' in dump && 'frames' in ours) {
      const meta = parseDicom(bytes).meta;
      expect({
        rows: meta.rows,
        columns: meta.columns,
        bitsAllocated: meta.bitsAllocated,
        bitsStored: meta.bitsStored,
        photometric: meta.photometricInterpretation,
      }).toEqual(dump.header);
    }

    const tool = dcmtkDecompressor(row.transferSyntax ?? null);
    const decompressed = tool ? dcmtkDecompress(tool, path, work.path, name) : { path };
    const reference = 'error' in decompressed ? decompressed : referenceValues(decompressed.path, name);

    if ('error' in reference) {
      const gap = referenceGaps[name];
      if (gap) {
        // Nothing to compare with: at least the image must have the header's size.
        expect('frames' in ours, JSON.stringify(ours)).toBe(true);
        measured.push(`${name}: not compared (${gap})`);
        return;
      }
      // Neither reference reads it: the library must refuse it too, with a one-line DicomError.
      expect('error' in ours ? ours.error : ours, `reference: ${reference.error}`).toBeInstanceOf(DicomError);
      measured.push(`${name}: refused like the reference (${'error' in ours ? ours.error.message : ''})`);
      return;
    }
    expect(referenceGaps[name], 'a listed reference gap now decodes: remove it from the list').toBeUndefined();
    if ('error' in ours) throw new Error(`the reference decodes ${name} but the library says: ${ours.error.message}`);

    const ourValues = ours.frames.flatMap((frame) => Array.from(frame.values));
    expect(ourValues.length).toBe(reference.values.length);
    let maxDiff = 0;
    for (let i = 0; i < ourValues.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((ourValues[i] ?? 0) - (reference.values[i] ?? 0)));
    }
    const syntax = transferSyntax(row.transferSyntax ?? '1.2.840.10008.1.2.1');
    const tolerance = syntax.lossless ? 0 : lossyTolerance;
    measured.push(
      `${name} (${syntax.name}${syntax.lossless ? '' : ', lossy'}): ${maxDiff} over ${ourValues.length} values`,
    );
    expect(maxDiff).toBeLessThanOrEqual(tolerance);
  });
});
