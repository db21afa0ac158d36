/**
 * One simulated radiograph from the cohort options and its index: patient, labels, anatomy and findings, the
 * site's acquisition, the marker, the truth regions in image space and the readers' polygons. Pure and
 * deterministic: the same options and index give the same image, whatever else is generated.
 */
import { createHash } from 'node:crypto';
import { findings as allFindings, type Finding } from '../library/findings';
import { sampleAnatomy } from './anatomy-model';
import { renderAnatomy } from './anatomy-render';
import {
  degrade,
  drawAcquisition,
  expose,
  percentileWindow,
  toneCurve,
  warpDensity,
  warpRegion,
  type Acquisition,
} from './acquisition';
import { drawPolygon, readerStyles, type Polygon } from './annotate';
import { addFindings } from './findings';
import { resolvedPrevalence, shortcutFinding, type CohortOptions } from './options';
import { drawPatient, type SimulatedPatient } from './patient';
import { Rng } from './prng';
import { regionArea, type Region } from './region';
import { decideMarker, inShortcutSubgroup, paintMarker, placeMarker, type MarkerPlacement } from './shortcut';
import { siteProfiles, type SiteProfile } from './site-profiles';

export interface SimulatedAnnotation {
  readonly annotator: string;
  readonly polygon: Polygon;
}

export interface SimulatedImage {
  readonly index: number;
  /** File name without extension: `SITE-NNNNN`. */
  readonly stem: string;
  readonly patientId: string;
  readonly patient: SimulatedPatient;
  /** Per simulated finding, 0 or 1. */
  readonly labels: Partial<Record<Finding, 0 | 1>>;
  readonly inShortcutSubgroup: boolean;
  readonly marker: { readonly present: boolean; readonly placement: MarkerPlacement };
  readonly acquisition: Acquisition;
  readonly size: number;
  /** size × size display values, 12 bits, MONOCHROME2 (bright = dense), marker painted if present. */
  readonly pixels: Uint16Array;
  /** The same image without the marker (only when asked for). */
  readonly twin: Uint16Array | null;
  /** VOI window of the marker-free image (so the marker never changes it). */
  readonly window: { readonly center: number; readonly width: number };
  /** Exact regions of each positive finding, image space. */
  readonly truth: Partial<Record<Finding, Region[]>>;
  /** Readers' polygons per positive finding; empty when the image was not annotated. */
  readonly annotations: Partial<Record<Finding, SimulatedAnnotation[]>>;
  readonly annotated: boolean;
}

/** Six hex digits of the seed, to keep patient ids of cohorts with different seeds apart. */
export function seedTag(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 6);
}

export function imageStem(site: string, index: number): string {
  return `${site}-${String(index).padStart(5, '0')}`;
}

export function simulateImage(options: CohortOptions, index: number, withTwin = false): SimulatedImage {
  const profile: SiteProfile = siteProfiles[options.site];
  const { seed, site, size } = options;
  const stream = (concern: string): Rng => new Rng(seed, site, index, concern);

  const patient = drawPatient(stream('patient'), options);
  const labels = drawLabels(options, stream('labels'));
  const drawn = options.findings.filter((f) => labels[f] === 1);

  const anatomy = sampleAnatomy(stream('anatomy'), patient);
  const rendered = renderAnatomy(anatomy, size, stream('vessels'));
  const patientRegions = addFindings(anatomy, rendered, drawn, options.lesion, stream('findings'));
  // A label is never without its lesion: should a finding find no room (a nodule that fits nowhere, which the
  // placement's shrinking radius makes all but impossible), the image is negative for it.
  for (const finding of drawn) {
    if ((patientRegions[finding] ?? []).every((r) => regionArea(r) === 0)) {
      labels[finding] = 0;
      delete patientRegions[finding];
    }
  }
  const positive = drawn.filter((f) => labels[f] === 1);

  const acquisition = drawAcquisition(stream('acquisition'), profile);
  const density = warpDensity(rendered.canvas.data, size, acquisition);
  degrade(density, size, profile, stream('mottle'));
  const pixels = expose(density, toneCurve(profile), acquisition.exposure, profile.noise, stream('noise'));
  const window = percentileWindow(pixels);
  const twin = withTwin ? pixels.slice() : null;

  const markerRng = stream('marker');
  const placement = placeMarker(markerRng, size, options.markerSize);
  const inGroup = inShortcutSubgroup(patient, options.shortcut);
  const shortcut = options.shortcut;
  const mode = inGroup || shortcut.group === 'none' ? shortcut.mode : shortcut.otherMode;
  const present = decideMarker(
    mode,
    shortcut.strength,
    shortcut.markerRate,
    labels[shortcutFinding(options)] ?? 0,
    markerRng,
  );
  if (present) paintMarker(pixels, size, placement, profile.noise, markerRng);

  const truth: Partial<Record<Finding, Region[]>> = {};
  for (const finding of positive) {
    truth[finding] = (patientRegions[finding] ?? []).map((r) => warpRegion(r, size, acquisition));
  }
  const { annotated, annotations } = annotate(options, index, truth, size, stream('annotation'));
  return {
    index,
    stem: imageStem(site, index),
    patientId: `${site}-${seedTag(seed)}-${String(index).padStart(5, '0')}`,
    patient,
    labels,
    inShortcutSubgroup: inGroup,
    marker: { present, placement },
    acquisition,
    size,
    pixels,
    twin,
    window,
    truth,
    annotations,
    annotated,
  };
}

/** One draw per finding of the product (simulated or not), so the labels of one finding never shift another's. */
function drawLabels(options: CohortOptions, rng: Rng): Partial<Record<Finding, 0 | 1>> {
  const prevalence = resolvedPrevalence(options);
  const labels: Partial<Record<Finding, 0 | 1>> = {};
  for (const finding of allFindings) {
    const draw = rng.next();
    const p = prevalence[finding];
    if (p !== undefined) labels[finding] = draw < p ? 1 : 0;
  }
  return labels;
}

function annotate(
  options: CohortOptions,
  index: number,
  truth: Partial<Record<Finding, Region[]>>,
  size: number,
  rng: Rng,
): { annotated: boolean; annotations: Partial<Record<Finding, SimulatedAnnotation[]>> } {
  const annotations: Partial<Record<Finding, SimulatedAnnotation[]>> = {};
  const positives = Object.keys(truth) as Finding[];
  const annotated = rng.chance(options.annotateFraction) && positives.length > 0;
  if (!annotated) return { annotated, annotations };
  const pool = readerStyles(options.seed, Math.max(3, options.annotators));
  // A random choice of distinct readers for this image.
  const order = pool.map((style) => ({ style, key: rng.next() })).sort((a, b) => a.key - b.key);
  const readers = order.slice(0, options.annotators).map((o) => o.style);
  for (const finding of positives) {
    const list: SimulatedAnnotation[] = [];
    for (const reader of readers) {
      for (const region of truth[finding] ?? []) {
        const polygon = drawPolygon(
          region,
          size,
          size,
          reader,
          new Rng(options.seed, options.site, index, finding, reader.name, list.length),
        );
        if (polygon) list.push({ annotator: reader.name, polygon });
      }
    }
    annotations[finding] = list;
  }
  return { annotated, annotations };
}
