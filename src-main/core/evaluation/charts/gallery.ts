/**
 * The attention gallery's pure parts: which runs it offers (labelled by condition and seed), the jet colour map
 * of the heat maps, and the human regions as SVG path data in image coordinates (the view scales them with a
 * viewBox of the image's columns × rows).
 */
import type { RegionGeometry } from '../../../api/annotation-schemas';
import type { FairnessSummary } from '../../../api/fairness-schemas';
import { attributeLabel, conditionLabel } from './common';

export interface GalleryRunChoice {
  readonly runId: number;
  readonly seed: number | null;
  readonly conditionKey: string;
  /** 'Human alignment 100 % · seed 1 · run 7' (with the preset when the summary has several). */
  readonly label: string;
  /** The run's test sources in the summary. */
  readonly sources: readonly string[];
  /** The subgroups it can be filtered by: attribute and its values, per the summary. */
  readonly groups: readonly { readonly attribute: string; readonly values: readonly string[] }[];
}

/** Every run of the summary, in condition order, then by seed. */
export function galleryRuns(summary: FairnessSummary): GalleryRunChoice[] {
  const presets = new Set(summary.conditions.map((c) => c.preset));
  return summary.conditions.flatMap((c) => {
    const groups = new Map<string, Set<string>>();
    for (const source of c.sources) {
      for (const a of source.attributes) {
        const values = groups.get(a.attribute) ?? new Set<string>();
        for (const g of a.groups) values.add(g.value);
        groups.set(a.attribute, values);
      }
    }
    const pairs = c.runIds.map((runId, i) => ({
      runId,
      seed: c.runIds.length === c.seeds.length ? c.seeds[i]! : null,
    }));
    pairs.sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0) || a.runId - b.runId);
    return pairs.map(({ runId, seed }) => ({
      runId,
      seed,
      conditionKey: c.key,
      label: [
        ...(presets.size > 1 ? [c.preset] : []),
        conditionLabel(c),
        ...(seed === null ? [] : [`seed ${seed}`]),
        `run ${runId}`,
      ].join(' · '),
      sources: c.sources.map((s) => s.source),
      groups: [...groups].map(([attribute, values]) => ({ attribute, values: [...values] })),
    }));
  });
}

/** 'Sex F · Age >=60'. */
export function groupsText(groups: Readonly<Record<string, string>>): string {
  return Object.entries(groups)
    .filter(([, value]) => value !== '')
    .map(([attribute, value]) => `${attributeLabel(attribute)} ${value}`)
    .join(' · ');
}

/** The jet colour map at t ∈ [0, 1] (blue → cyan → yellow → red), as 0–255 RGB. */
export function jet(t: number): [number, number, number] {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const channel = (offset: number): number =>
    Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * clamped - offset))));
  return [channel(3), channel(2), channel(1)];
}

/** A g × g attention map (row-major) as RGBA pixels in jet colours, min–max normalised (uniform maps are blue). */
export function heatPixels(attention: readonly number[], grid: number, alpha = 255): Uint8ClampedArray {
  const pixels = new Uint8ClampedArray(grid * grid * 4);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of attention) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (let i = 0; i < grid * grid; i++) {
    const v = attention[i] ?? 0;
    const [r, g, b] = jet(hi > lo ? (v - lo) / (hi - lo) : 0);
    pixels.set([r, g, b, alpha], i * 4);
  }
  return pixels;
}

/** How to draw one region as an SVG path in image coordinates. */
export interface RegionOutline {
  readonly d: string;
  /** A brush stroke is its centre line drawn `width` wide (round caps and joins); the rest are outlines. */
  readonly width: number | null;
  /** An eraser stroke (drawn differently: it removed pixels). */
  readonly erase: boolean;
}

const n = (v: number): string => String(Math.round(v * 100) / 100);

export function regionOutline(g: RegionGeometry): RegionOutline {
  switch (g.kind) {
    case 'polygon':
      return {
        d: `M${g.points.map(([x, y]) => `${n(x)} ${n(y)}`).join(' L')} Z`,
        width: null,
        erase: false,
      };
    case 'rect':
      return { d: `M${n(g.x)} ${n(g.y)} h${n(g.width)} v${n(g.height)} h${n(-g.width)} Z`, width: null, erase: false };
    case 'ellipse': {
      // Two half arcs from one end of the rotated major axis to the other.
      const angle = (g.rotation * Math.PI) / 180;
      const dx = g.rx * Math.cos(angle);
      const dy = g.rx * Math.sin(angle);
      const arc = `A${n(g.rx)} ${n(g.ry)} ${n(g.rotation)} 1 1`;
      return {
        d: `M${n(g.cx + dx)} ${n(g.cy + dy)} ${arc} ${n(g.cx - dx)} ${n(g.cy - dy)} ${arc} ${n(g.cx + dx)} ${n(g.cy + dy)} Z`,
        width: null,
        erase: false,
      };
    }
    case 'stroke': {
      const [first, ...rest] = g.points;
      const start = `M${n(first?.[0] ?? 0)} ${n(first?.[1] ?? 0)}`;
      // A single point is a dot: a zero-length segment with round caps.
      const tail = rest.length === 0 ? ' l0 0' : ` L${rest.map(([x, y]) => `${n(x)} ${n(y)}`).join(' L')}`;
      return { d: `${start}${tail}`, width: 2 * g.radius, erase: g.erase };
    }
  }
}

/** The radius of the peak marker in image pixels: visible at any image size. */
export function peakRadius(columns: number, rows: number): number {
  return Math.max(columns, rows) / 24;
}
