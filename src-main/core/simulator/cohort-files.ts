/**
 * The side files of a cohort: `labels.csv` in the `aligner` labels layout (what `aligner import --labels`
 * detects) and `annotations.json` (ground truth, the readers' polygons, the marker), both byte-for-byte
 * deterministic: no paths, times or host details in them.
 */
import { findings as allFindings, type Finding } from '../library/findings';
import type { ReaderStyle } from './annotate';
import { simulatorVersion } from './encode';
import type { CohortOptions } from './options';
import { encodeRle, maskBox, unionMask, type Rle } from './region';
import type { SimulatedImage, SimulatedAnnotation } from './simulate-image';
import { siteProfiles } from './site-profiles';
import { subgroupName } from './shortcut';

export const labelsCsvHeader = 'file,patient_id,sex,age,site,nodule,effusion,edema';

/** One labels.csv line; findings that were not simulated are left blank (unlabelled on import). */
export function labelsCsvRow(file: string, image: SimulatedImage, site: string): string {
  const cells = allFindings.map((f) => {
    const label = image.labels[f];
    return label === undefined ? '' : String(label);
  });
  return [file, image.patientId, image.patient.sex, String(image.patient.age), site, ...cells].join(',');
}

export interface FindingTruth {
  /** The union of the finding's regions: COCO uncompressed RLE over the whole image. */
  readonly rle: Rle;
  /** [x, y, width, height] of the union, pixels. */
  readonly box: readonly [number, number, number, number] | null;
  /** Pixels in the union. */
  readonly area: number;
  /** Separate regions (nodules, affected lungs). */
  readonly regions: number;
}

export interface FindingEntry {
  readonly label: 0 | 1;
  readonly truth: FindingTruth | null;
  readonly annotations: readonly SimulatedAnnotation[];
}

export interface AnnotationsImageEntry {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly patientId: string;
  readonly sex: 'M' | 'F';
  readonly age: number;
  readonly site: string;
  /** The subgroup's name (`F`, `M`, `age>=60`, …) and whether it is the shortcut subgroup. */
  readonly subgroup: string;
  readonly shortcutSubgroup: boolean;
  /** File name of the marker-free twin in the twins folder, when twins were written. */
  readonly twin?: string;
  readonly acquisition: {
    readonly rotationDeg: number;
    readonly shiftPx: readonly [number, number];
    readonly exposure: number;
  };
  readonly shortcut: {
    readonly present: boolean;
    /** [x, y, width, height] of the marker glyph; null when absent. */
    readonly box: readonly [number, number, number, number] | null;
    /** Where the marker is, or would have been: for painting it onto a marker-free image. */
    readonly placement: readonly [number, number, number, number];
  };
  readonly annotated: boolean;
  readonly findings: Partial<Record<Finding, FindingEntry>>;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function annotationsImageEntry(
  file: string,
  image: SimulatedImage,
  options: CohortOptions,
  twin: boolean,
): AnnotationsImageEntry {
  const size = image.size;
  const findingsOut: Partial<Record<Finding, FindingEntry>> = {};
  for (const f of options.findings) {
    const regions = image.truth[f];
    let truth: FindingTruth | null = null;
    if (regions && regions.length > 0) {
      const mask = unionMask(regions, size, size);
      let area = 0;
      for (let i = 0; i < mask.length; i++) area += mask[i] as number;
      truth = { rle: encodeRle(mask, size, size), box: maskBox(mask, size, size), area, regions: regions.length };
    }
    findingsOut[f] = { label: image.labels[f] ?? 0, truth, annotations: image.annotations[f] ?? [] };
  }
  const { acquisition: acq, marker } = image;
  return {
    file,
    width: size,
    height: size,
    patientId: image.patientId,
    sex: image.patient.sex,
    age: image.patient.age,
    site: options.site,
    subgroup: subgroupName(image.inShortcutSubgroup, options.shortcut),
    shortcutSubgroup: image.inShortcutSubgroup,
    ...(twin ? { twin: file } : {}),
    acquisition: {
      rotationDeg: round((acq.rotation * 180) / Math.PI, 3),
      shiftPx: [round(acq.shiftX * size, 2), round(acq.shiftY * size, 2)],
      exposure: round(acq.exposure, 4),
    },
    shortcut: {
      present: marker.present,
      box: marker.present ? marker.placement.box : null,
      placement: marker.placement.box,
    },
    annotated: image.annotated,
    findings: findingsOut,
  };
}

export interface AnnotationsFile {
  readonly version: 1;
  readonly generator: {
    readonly name: 'aligner simulate';
    readonly simulatorVersion: number;
    /** The options that made the cohort (folders left out), defaults filled in. */
    readonly options: Omit<CohortOptions, 'out' | 'twinsDir'> & { readonly twins: boolean };
  };
  readonly site: { readonly name: string; readonly institutionName: string; readonly modality: 'DX' | 'CR' };
  readonly coordinates: string;
  readonly truthEncoding: string;
  readonly readers: readonly ReaderStyle[];
  readonly images: readonly AnnotationsImageEntry[];
}

export function annotationsFile(
  options: CohortOptions,
  readers: readonly ReaderStyle[],
  images: readonly AnnotationsImageEntry[],
): AnnotationsFile {
  const { out: _out, twinsDir, ...rest } = options;
  const profile = siteProfiles[options.site];
  return {
    version: 1,
    generator: { name: 'aligner simulate', simulatorVersion, options: { ...rest, twins: twinsDir !== undefined } },
    site: { name: profile.name, institutionName: profile.institutionName, modality: profile.modality },
    coordinates:
      'image pixels: x to the right (column), y down (row); pixel (c, r) covers [c, c+1) x [r, r+1); polygons are closed implicitly',
    truthEncoding:
      'COCO uncompressed RLE: size [height, width]; counts alternate runs of 0 and 1 in column-major order, starting with 0',
    readers,
    images,
  };
}
