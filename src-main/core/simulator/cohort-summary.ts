/** What a generated cohort turned out to be: observed prevalence, sexes, ages, and the shortcut per subgroup. */
import type { Finding } from '../library/findings';
import type { CohortOptions, ShortcutMode } from './options';
import { shortcutFinding } from './options';
import { subgroupName } from './shortcut';

/** The facts of one image the summary counts. */
export interface ImageFacts {
  readonly sex: 'M' | 'F';
  readonly age: number;
  readonly labels: Partial<Record<Finding, 0 | 1>>;
  readonly inShortcutSubgroup: boolean;
  readonly markerPresent: boolean;
  readonly annotated: boolean;
}

export interface SubgroupShortcut {
  /** `F`/`M`, `age>=60`/`age<60`, or `all`. */
  readonly name: string;
  readonly shortcutSubgroup: boolean;
  readonly mode: ShortcutMode;
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  readonly markerWithPositive: number;
  readonly markerWithNegative: number;
  /** Observed P(marker | positive), P(marker | negative); null without positives (negatives). */
  readonly markerRateGivenPositive: number | null;
  readonly markerRateGivenNegative: number | null;
  /** Observed P(marker | positive) − P(marker | negative): the realised strength K (null if undefined). */
  readonly informedness: number | null;
  /** Phi (Pearson) correlation of marker and label; null when either is constant. */
  readonly phi: number | null;
}

export interface ShortcutSummary {
  readonly finding: Finding;
  readonly group: CohortOptions['shortcut']['group'];
  readonly mode: ShortcutMode;
  readonly otherMode: ShortcutMode;
  readonly strength: number;
  readonly markerRate: number;
  /** Images that carry the marker. */
  readonly markers: number;
  readonly subgroups: SubgroupShortcut[];
}

export interface CohortFacts {
  readonly n: number;
  /** Observed share of positives per simulated finding. */
  readonly prevalence: Partial<Record<Finding, number>>;
  readonly sexCounts: { readonly F: number; readonly M: number };
  readonly age: { readonly mean: number; readonly min: number; readonly max: number } | null;
  /** Images with at least one positive finding, and those of them with annotations. */
  readonly positiveImages: number;
  readonly annotatedImages: number;
  readonly shortcut: ShortcutSummary;
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;

export function summarizeCohort(options: CohortOptions, images: readonly ImageFacts[]): CohortFacts {
  const n = images.length;
  const prevalence: Partial<Record<Finding, number>> = {};
  for (const f of options.findings)
    prevalence[f] = n === 0 ? 0 : round(images.filter((i) => i.labels[f] === 1).length / n);
  const ages = images.map((i) => i.age);
  const positiveImages = images.filter((i) => options.findings.some((f) => i.labels[f] === 1)).length;
  return {
    n,
    prevalence,
    sexCounts: { F: images.filter((i) => i.sex === 'F').length, M: images.filter((i) => i.sex === 'M').length },
    age:
      n === 0
        ? null
        : { mean: round(ages.reduce((a, b) => a + b, 0) / n), min: Math.min(...ages), max: Math.max(...ages) },
    positiveImages,
    annotatedImages: images.filter((i) => i.annotated).length,
    shortcut: summarizeShortcut(options, images),
  };
}

function summarizeShortcut(options: CohortOptions, images: readonly ImageFacts[]): ShortcutSummary {
  const { shortcut } = options;
  const finding = shortcutFinding(options);
  const groups = shortcut.group === 'none' ? [true] : [true, false];
  return {
    finding,
    group: shortcut.group,
    mode: shortcut.mode,
    otherMode: shortcut.otherMode,
    strength: shortcut.strength,
    markerRate: shortcut.markerRate,
    markers: images.filter((i) => i.markerPresent).length,
    subgroups: groups.map((inGroup) => {
      const members = images.filter((i) => shortcut.group === 'none' || i.inShortcutSubgroup === inGroup);
      return subgroupStats(
        subgroupName(inGroup, shortcut),
        inGroup,
        inGroup ? shortcut.mode : shortcut.otherMode,
        members.map((i) => ({ label: i.labels[finding] ?? 0, marker: i.markerPresent })),
      );
    }),
  };
}

/** Marker-versus-label statistics of one subgroup. */
export function subgroupStats(
  name: string,
  shortcutSubgroup: boolean,
  mode: ShortcutMode,
  pairs: readonly { readonly label: 0 | 1; readonly marker: boolean }[],
): SubgroupShortcut {
  const positives = pairs.filter((p) => p.label === 1).length;
  const negatives = pairs.length - positives;
  const markerWithPositive = pairs.filter((p) => p.label === 1 && p.marker).length;
  const markerWithNegative = pairs.filter((p) => p.label === 0 && p.marker).length;
  const tpr = positives > 0 ? markerWithPositive / positives : null;
  const fpr = negatives > 0 ? markerWithNegative / negatives : null;
  const markers = markerWithPositive + markerWithNegative;
  const n = pairs.length;
  const denominator = Math.sqrt(positives * negatives * markers * (n - markers));
  const phi = denominator > 0 ? (n * markerWithPositive - positives * markers) / denominator : null;
  return {
    name,
    shortcutSubgroup,
    mode,
    n,
    positives,
    negatives,
    markerWithPositive,
    markerWithNegative,
    markerRateGivenPositive: tpr === null ? null : round(tpr),
    markerRateGivenNegative: fpr === null ? null : round(fpr),
    informedness: tpr === null || fpr === null ? null : round(tpr - fpr),
    phi: phi === null ? null : round(phi),
  };
}
