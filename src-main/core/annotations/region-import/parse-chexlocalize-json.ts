/**
 * CheXlocalize-style polygon JSON (`gt_annotations_val.json`, `gt_annotations_test.json`):
 * `{ "<image id>": { "<task name>": [ [[x, y], …], … ], "img_size": [height, width] } }` — every contour of a
 * task is one polygon, in pixels of an image of `img_size` (the original CheXpert resolution; scaled to the
 * stored image when that differs). Tasks we do not annotate are counted by name (one per contour).
 */
import { findingForName } from './finding-names';
import { RegionFileError } from './region-file-error';
import type { ParsedRegionFile, RegionRecord } from './region-record';

type Point = readonly [number, number];

/**
 * @param text the file's contents
 * @param file names the file in error messages
 * @throws RegionFileError naming the image key (and task, contour, point) of the first malformed entry
 */
export function parseChexlocalizeJson(text: string, file: string): ParsedRegionFile {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new RegionFileError(file, `${file}: not valid JSON: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  if (!isObject(data)) throw new RegionFileError(file, `${file}: expected an object keyed by image id`);
  const records: RegionRecord[] = [];
  const skippedFindings: Record<string, number> = {};
  for (const [imageKey, entry] of Object.entries(data)) {
    const at = `${file} key '${imageKey}'`;
    if (imageKey.trim() === '') throw new RegionFileError(file, `${file}: an image id is empty`);
    if (!isObject(entry)) throw new RegionFileError(file, `${at}: expected an object of task names and img_size`);
    const imageSize = readImageSize(entry.img_size, at, file);
    for (const [findingName, contours] of Object.entries(entry)) {
      if (findingName === 'img_size') continue;
      const finding = findingForName('chexlocalize-json', findingName);
      if (finding === null) {
        skippedFindings[findingName] =
          (skippedFindings[findingName] ?? 0) + (Array.isArray(contours) ? contours.length : 1);
        continue;
      }
      if (!Array.isArray(contours))
        throw new RegionFileError(file, `${at} / '${findingName}': expected a list of contours`);
      contours.forEach((contour: unknown, k) => {
        const where = `key '${imageKey}' / '${findingName}' contour ${k + 1}`;
        records.push({
          imageKey,
          finding,
          findingName,
          region: { kind: 'polygon', points: readContour(contour, `${file} ${where}`, file) },
          reader: null,
          imageSize,
          where,
        });
      });
    }
  }
  return { format: 'chexlocalize-json', records, skippedFindings };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `img_size` as width and height; it is written [height, width]. Absent: null (coordinates taken as they are). */
function readImageSize(value: unknown, at: string, file: string): { width: number; height: number } | null {
  if (value === undefined) return null;
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every((n) => typeof n === 'number' && Number.isFinite(n) && n > 0)
  ) {
    throw new RegionFileError(file, `${at}: img_size must be [height, width], two positive numbers`);
  }
  return { height: value[0] as number, width: value[1] as number };
}

function readContour(contour: unknown, at: string, file: string): Point[] {
  if (!Array.isArray(contour)) throw new RegionFileError(file, `${at}: expected a list of [x, y] points`);
  return contour.map((point: unknown, k) => {
    if (
      !Array.isArray(point) ||
      point.length !== 2 ||
      !point.every((n) => typeof n === 'number' && Number.isFinite(n))
    ) {
      throw new RegionFileError(file, `${at} point ${k + 1}: expected [x, y], two finite numbers`);
    }
    return [point[0] as number, point[1] as number] as const;
  });
}
