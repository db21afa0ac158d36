import { bundleSplitSchema, imageKeySchema, type BundleImage } from '../../../api/bundle-schemas';
import type { RunSubset } from './study-membership';

/**
 * images.csv and subsets.csv of a bundle: plain CSV (no quoting needed: keys are hex, splits and numbers are
 * words, source names are refused when they hold a comma, a quote or a line break).
 *
 * images.csv: `image,source,split,label,mask_sha256` — one line per image of the study's sources; label 1, 0
 * or empty; mask_sha256 for training images with a region, else empty.
 * subsets.csv: `run,image,aligned` — one line per training image of each run (after the data ratio), aligned
 * 1 or 0; runs in queue order, images in key order.
 */
const imagesHeader = 'image,source,split,label,mask_sha256';
const subsetsHeader = 'run,image,aligned';

export function imagesCsv(images: readonly BundleImage[]): string {
  const lines = [imagesHeader];
  for (const image of images) {
    if (/[",\r\n]/.test(image.source))
      throw new Error(
        `source name '${image.source}' holds a comma, quote or line break; rename it to bundle the study`,
      );
    lines.push(
      [image.key, image.source, image.split, image.label === null ? '' : image.label, image.maskSha256 ?? ''].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function subsetsCsv(subsets: readonly RunSubset[]): string {
  const lines = [subsetsHeader];
  for (const subset of subsets) {
    for (const key of subset.train) lines.push(`${subset.index},${key},${subset.aligned.has(key) ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/** @throws Error naming the file and line for anything that is not what {@link imagesCsv} writes */
export function parseImagesCsv(text: string): BundleImage[] {
  return rows(text, 'images.csv', imagesHeader).map(([key, source, split, label, mask], i) => {
    const where = `images.csv line ${i + 2}`;
    if (!imageKeySchema.safeParse(key).success) throw new Error(`${where}: '${key}' is not an image key`);
    const parsedSplit = bundleSplitSchema.safeParse(split);
    if (!parsedSplit.success) throw new Error(`${where}: split '${split}' is not train, validation or test`);
    if (!source) throw new Error(`${where}: no source`);
    if (label !== '' && label !== '0' && label !== '1')
      throw new Error(`${where}: label '${label}' is not 0, 1 or empty`);
    if (mask !== '' && !imageKeySchema.safeParse(mask).success) throw new Error(`${where}: '${mask}' is not a SHA-256`);
    return {
      key: key as string,
      source,
      split: parsedSplit.data,
      label: label === '' ? null : label === '1' ? 1 : 0,
      maskSha256: mask === '' ? null : (mask as string),
    };
  });
}

/** @throws Error naming the file and line for anything that is not what {@link subsetsCsv} writes */
export function parseSubsetsCsv(text: string): RunSubset[] {
  const byRun = new Map<number, { train: string[]; aligned: Set<string> }>();
  rows(text, 'subsets.csv', subsetsHeader).forEach(([run, key, aligned], i) => {
    const where = `subsets.csv line ${i + 2}`;
    const index = Number(run);
    if (!(run !== '' && Number.isInteger(index) && index >= 0))
      throw new Error(`${where}: run '${run}' is not an index`);
    if (!imageKeySchema.safeParse(key).success) throw new Error(`${where}: '${key}' is not an image key`);
    if (aligned !== '0' && aligned !== '1') throw new Error(`${where}: aligned '${aligned}' is not 0 or 1`);
    const subset = byRun.get(index) ?? { train: [], aligned: new Set<string>() };
    byRun.set(index, subset);
    subset.train.push(key as string);
    if (aligned === '1') subset.aligned.add(key as string);
  });
  return [...byRun].map(([index, s]) => ({ index, train: s.train, aligned: s.aligned }));
}

function rows(text: string, file: string, header: string): string[][] {
  const lines = text.split(/\r?\n/);
  if (lines[0] !== header) throw new Error(`${file} does not start with the header '${header}'`);
  const width = header.split(',').length;
  const out: string[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== width) throw new Error(`${file} line ${i + 1}: ${cells.length} fields, expected ${width}`);
    out.push(cells);
  }
  return out;
}
