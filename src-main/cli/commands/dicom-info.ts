import { describeDicom } from '../../core/dicom';
import type { Command } from '../command';
import { readDicomBytes, singleFile, withFileName } from './dicom-file-input';

const usage = 'aligner dicom info FILE [--json]';

const show = (value: unknown): string =>
  value === null ? '—' : Array.isArray(value) ? value.join('\\') : String(value);

export const dicomInfoCommand: Command = {
  path: ['dicom', 'info'],
  summary: 'size, encoding, sex/age tags and pixel statistics of a DICOM file (no workspace needed)',
  usage,
  options: {},
  run: async ({ positionals }) => {
    const file = singleFile(positionals, usage);
    const bytes = readDicomBytes(file);
    const info = await withFileName(file, () => describeDicom(bytes));
    const round = (n: number): string => String(Math.round(n * 1000) / 1000);
    const lines = [
      `file            ${file}`,
      `size            ${info.columns}×${info.rows}, ${info.numberOfFrames} frame(s), ${info.samplesPerPixel} sample(s)/pixel`,
      `bits            ${info.bitsStored} stored of ${info.bitsAllocated}, ${info.pixelRepresentation === 1 ? 'signed' : 'unsigned'}`,
      `photometric     ${show(info.photometric)}`,
      `transfer syntax ${info.transferSyntax} (${info.transferSyntaxName})`,
      `modality        ${show(info.modality)}  view ${show(info.viewPosition)}`,
      `sex / age       ${show(info.sex)} / ${show(info.age)}`,
      `rescale         × ${info.rescaleSlope} + ${info.rescaleIntercept}`,
      `window          center ${show(info.windowCenter)}  width ${show(info.windowWidth)}`,
      `pixel spacing   ${info.pixelSpacing ? `${info.pixelSpacing[0]} × ${info.pixelSpacing[1]} mm` : '—'}`,
      `values          min ${round(info.min)}  max ${round(info.max)}  mean ${round(info.mean)}`,
    ];
    return { json: info, text: lines.join('\n') };
  },
};
