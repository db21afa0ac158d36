import { exportRegions, regionExportFormats, type RegionExportFormat } from '../../core/annotations/region-export';
import { findings, isFinding } from '../../core/library/findings';
import { CliError } from '../cli-error';
import type { Command } from '../command';

const usage =
  'aligner annotations export --out DIR [--format json|png|chexlocalize|both|all|F,F] [--annotator NAME] [--finding ID] [--size WxH] [--db PATH] [--json]';

/** `both` is json and png (the default), `all` every format; otherwise a comma-separated list. */
function formatsOf(raw: string): readonly RegionExportFormat[] | null {
  if (raw === 'both') return ['json', 'png'];
  if (raw === 'all') return regionExportFormats;
  const list = raw.split(',').map((f) => f.trim());
  return list.every((f): f is RegionExportFormat => (regionExportFormats as readonly string[]).includes(f))
    ? list
    : null;
}

export const annotationsExportCommand: Command = {
  path: ['annotations', 'export'],
  summary:
    'write the regions as regions.json, 0/255 PNG masks (masks/<image>_<finding>[_<annotator>].png) and/or CheXlocalize polygon JSON',
  usage,
  options: {
    out: { type: 'string' },
    format: { type: 'string', default: 'both' },
    annotator: { type: 'string' },
    finding: { type: 'string' },
    size: { type: 'string' },
  },
  run: async ({ values, positionals, workspace }) => {
    if (positionals.length > 0)
      throw new CliError(`annotations export takes no positional arguments; got '${positionals[0]}'`);
    const out = typeof values.out === 'string' ? values.out.trim() : '';
    if (out === '') throw new CliError(`--out DIR is required; usage: ${usage}`);
    const formats = formatsOf(String(values.format));
    if (!formats)
      throw new CliError(
        `--format must be json, png, chexlocalize, both, all or a comma-separated list; got '${String(values.format)}'`,
      );
    const finding = typeof values.finding === 'string' ? values.finding.trim() : undefined;
    if (finding !== undefined && !isFinding(finding))
      throw new CliError(`--finding must be one of ${findings.join(', ')}; got '${finding}'`);
    const annotator = typeof values.annotator === 'string' ? values.annotator.trim() : undefined;
    if (annotator === '') throw new CliError('--annotator must not be empty');
    const size = typeof values.size === 'string' ? parseSize(values.size) : undefined;
    const summary = await exportRegions(workspace().db, {
      outDir: out,
      formats,
      ...(annotator === undefined ? {} : { annotator }),
      ...(finding === undefined ? {} : { finding }),
      ...(size === undefined ? {} : { size }),
    });
    const lines = [
      `exported ${summary.regions} regions of ${summary.images} images to ${summary.outDir}` +
        `${summary.json ? ' (regions.json)' : ''}${formats.includes('png') ? `, ${summary.masks} masks in masks/` : ''}` +
        `${summary.chexlocalize ? ', CheXlocalize polygons in regions_chexlocalize.json' : ''}`,
    ];
    if (summary.invalid.count)
      lines.push(
        `  left out ${summary.invalid.count} annotations with invalid geometry (ids ${summary.invalid.ids.join(', ')})`,
      );
    return { json: summary, text: lines.join('\n') };
  },
};

/** `WxH` (or `W×H`), whole numbers from 1 to 16384. */
function parseSize(raw: string): { width: number; height: number } {
  const match = /^(\d+)[x×](\d+)$/i.exec(raw.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || !(width >= 1 && width <= 16384 && height >= 1 && height <= 16384))
    throw new CliError(`--size must be WxH, whole numbers from 1 to 16384 (e.g. 224x224); got '${raw}'`);
  return { width, height };
}
