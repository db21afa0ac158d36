import { findings } from '../../core/library/findings';
import {
  importRegionFile,
  regionFileFormats,
  type RegionFileFormat,
  type RegionImportSummary,
} from '../../core/annotations/region-import';
import { CliError } from '../cli-error';
import type { Command } from '../command';

const usage =
  'aligner annotations import FILE --format nih-bbox|vindr-csv|chexlocalize-json --annotator NAME [--source NAME] [--db PATH] [--json]';

export const annotationsImportCommand: Command = {
  path: ['annotations', 'import'],
  summary: 'import attention regions from NIH, VinDr-CXR or CheXlocalize region files',
  usage,
  options: {
    format: { type: 'string' },
    annotator: { type: 'string' },
    source: { type: 'string' },
  },
  run: ({ values, positionals, workspace }) => {
    if (positionals.length !== 1)
      throw new CliError(`give exactly one region file; got ${positionals.length}; usage: ${usage}`);
    const format = values.format;
    if (typeof format !== 'string') throw new CliError(`--format is required; usage: ${usage}`);
    if (!(regionFileFormats as readonly string[]).includes(format))
      throw new CliError(`--format must be one of ${regionFileFormats.join(', ')}; got '${format}'`);
    const annotator = typeof values.annotator === 'string' ? values.annotator.trim() : '';
    if (annotator === '') throw new CliError(`--annotator NAME is required; usage: ${usage}`);
    const source = typeof values.source === 'string' && values.source.trim() !== '' ? values.source.trim() : undefined;
    const summary = importRegionFile(workspace().db, {
      path: positionals[0] ?? '',
      format: format as RegionFileFormat,
      annotator,
      ...(source === undefined ? {} : { source }),
    });
    return { json: summary, text: describe(summary) };
  },
};

/** `1 region`, `3 regions`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function describe(s: RegionImportSummary): string {
  const perFinding = findings.map((f) => `${f} ${s.addedByFinding[f]}`).join(', ');
  const lines = [
    `added ${count(s.added, 'region')} (${perFinding}) to ${count(s.images, 'image')} from ${s.file} as ${s.annotators.join(', ') || s.annotator}` +
      `; ${s.alreadyPresent} already present`,
  ];
  const skipped = Object.entries(s.skippedFindings);
  if (skipped.length) lines.push(`  skipped findings: ${skipped.map(([name, n]) => `${name} ${n}`).join(', ')}`);
  if (s.unmatched.regions)
    lines.push(
      `  unmatched: ${count(s.unmatched.regions, 'region')} of ${count(s.unmatched.keys, 'image')} not in the workspace` +
        `${s.source === null ? '' : ` source '${s.source}'`} (e.g. ${s.unmatched.examples.slice(0, 5).join(', ')})`,
    );
  if (s.ambiguous.regions)
    lines.push(
      `  ambiguous: ${count(s.ambiguous.regions, 'region')} of ${count(s.ambiguous.keys, 'image name')} found in several images; ` +
        `give --source (e.g. ${s.ambiguous.examples.slice(0, 5).join(', ')})`,
    );
  if (s.rejected.outside + s.rejected.empty)
    lines.push(
      `  rejected: ${s.rejected.outside} entirely outside their image, ${s.rejected.empty} with no area` +
        ` (e.g. ${s.rejected.examples
          .slice(0, 3)
          .map((e) => `${e.imageKey} at ${e.where}`)
          .join('; ')})`,
    );
  if (s.clipped) lines.push(`  clipped to the image: ${count(s.clipped, 'region')}`);
  if (s.scaled.images)
    lines.push(
      `  scaled: ${count(s.scaled.images, 'image')} with another size than the file's (e.g. ${s.scaled.examples
        .slice(0, 3)
        .map((e) => `${e.imageKey} ${e.from.width}×${e.from.height} → ${e.to.width}×${e.to.height}`)
        .join('; ')}); coordinates scaled per axis`,
    );
  return lines.join('\n');
}
