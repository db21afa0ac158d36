/**
 * The demo workspace a new user is offered: two training sites whose shortcut follows the nodule label in
 * women, a validation site drawn the same way, and an out-of-domain site where women never carry the marker
 * and men carry it at random (SCIENCE-NOTES finding 5: a label-independent marker in the other subgroup at
 * the out-of-domain site is what makes a subgroup gap appear).
 */
import type { SourceRole } from '../library/sources';
import type { CohortOptionsInput } from './options';
import type { SiteName } from './site-profiles';

export interface DemoSitePlan {
  readonly site: SiteName;
  /** Source name to import into. */
  readonly source: string;
  readonly role: SourceRole;
  readonly description: string;
  /** Cohort options without `out`: generate with `{ ...options, out: folder }`. */
  readonly options: Omit<CohortOptionsInput, 'out'>;
}

export interface DemoCohortPlan {
  readonly seed: string;
  readonly sites: readonly DemoSitePlan[];
  readonly totalImages: number;
}

/**
 * The demo cohorts. Build a demo workspace with, for each site: `generateCohort({ ...site.options, out: dir })`
 * into a temporary folder, then `importPaths(ws, [dir], { source: site.source, role: site.role, labelsCsv:
 * join(dir, 'labels.csv') })`.
 *
 * @param seed any string; the default gives the same demo on every machine
 * @param size image side in pixels (default 512)
 */
export function demoCohortPlan(seed = 'aligner-demo', size = 512): DemoCohortPlan {
  const common: Omit<CohortOptionsInput, 'out'> = {
    seed,
    size,
    format: 'dicom',
    findings: ['nodule', 'effusion', 'edema'],
    prevalence: 0.3,
  };
  const trainingShortcut = {
    group: 'sex',
    mode: 'label',
    otherMode: 'none',
    strength: 0.9,
    finding: 'nodule',
  } as const;
  const sites: DemoSitePlan[] = [
    {
      site: 'riverside',
      source: 'riverside',
      role: 'train',
      description: 'training site; the R marker follows the nodule label in women (K = 0.9), men have none',
      options: { ...common, site: 'riverside', n: 160, annotateFraction: 0.5, shortcut: trainingShortcut },
    },
    {
      site: 'hillcrest',
      source: 'hillcrest',
      role: 'train',
      description: 'training site; same shortcut, another scanner and processing',
      options: { ...common, site: 'hillcrest', n: 160, annotateFraction: 0.5, shortcut: trainingShortcut },
    },
    {
      site: 'lakeside',
      source: 'lakeside',
      role: 'validation',
      description: 'validation site, drawn like the training sites (the shortcut still pays off here)',
      options: { ...common, site: 'lakeside', n: 80, annotateFraction: 0, shortcut: trainingShortcut },
    },
    {
      site: 'summit',
      source: 'summit',
      role: 'ood-test',
      description: 'out-of-domain site; no marker in women, a label-independent marker in half of the men',
      options: {
        ...common,
        site: 'summit',
        n: 160,
        annotateFraction: 0,
        shortcut: { group: 'sex', mode: 'none', otherMode: 'random', markerRate: 0.5, finding: 'nodule' },
      },
    },
  ];
  return { seed, sites, totalImages: sites.reduce((n, s) => n + (s.options.n ?? 0), 0) };
}
