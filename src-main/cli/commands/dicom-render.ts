import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { encodePng, renderToGray8 } from '../../core/dicom';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { readDicomBytes, singleFile, withFileName } from './dicom-file-input';

const usage =
  'aligner dicom render FILE --out PNG [--window C,W] [--frame N] [--json]  (negative C: --window=-600,1500)';

const number = z
  .string()
  .trim()
  .regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/)
  .transform(Number);
/** `--window C,W`: centre and width in modality units, width ≥ 1. */
const windowOption = z
  .string()
  .transform((s) => s.split(','))
  .pipe(z.tuple([number, number.pipe(z.number().min(1))]))
  .transform(([center, width]) => ({ center, width }));
const frameOption = z.string().regex(/^\d+$/).transform(Number);

export const dicomRenderCommand: Command = {
  path: ['dicom', 'render'],
  summary: 'write a DICOM image as an 8-bit grey PNG, windowed as the app shows it (no workspace needed)',
  usage,
  options: { out: { type: 'string' }, window: { type: 'string' }, frame: { type: 'string' } },
  run: async ({ positionals, values }) => {
    const file = singleFile(positionals, usage);
    const out = values.out;
    if (typeof out !== 'string' || out === '') throw new CliError(`--out PNG is required; usage: ${usage}`);
    let window: { center: number; width: number } | undefined;
    if (typeof values.window === 'string') {
      const parsed = windowOption.safeParse(values.window);
      if (!parsed.success) throw new CliError(`--window must be CENTER,WIDTH with WIDTH ≥ 1; got '${values.window}'`);
      window = parsed.data;
    }
    let frame = 0;
    if (typeof values.frame === 'string') {
      const parsed = frameOption.safeParse(values.frame);
      if (!parsed.success) throw new CliError(`--frame must be a frame number from 0; got '${values.frame}'`);
      frame = parsed.data;
    }
    const bytes = readDicomBytes(file);
    const image = await withFileName(file, () => renderToGray8(bytes, { frame, ...(window ? { window } : {}) }));
    const png = await encodePng(image);
    try {
      writeFileSync(out, png);
    } catch (err) {
      throw new CliError(`${out}: cannot write: ${(err as Error).message}`);
    }
    const result = {
      file,
      out,
      rows: image.rows,
      columns: image.columns,
      frame,
      window: image.window,
      inverted: image.inverted,
    };
    return {
      json: result,
      text: `wrote ${out}: ${image.columns}×${image.rows}, window ${image.window.center}/${image.window.width}${image.inverted ? ', inverted (MONOCHROME1)' : ''}`,
    };
  },
};
