/**
 * Synthetic chest X-ray cohorts with known ground truth: frontal radiographs with anatomy shaped by sex, age
 * and habitus, three findings with exact regions, site acquisition profiles, simulated readers' polygons,
 * and a planted shortcut marker whose correlation with the label depends on the subgroup. See
 * docs/simulator.md.
 */
export { generateCohort, type CohortSummary, type CohortProgress, type GenerateControl } from './cohort';
export { demoCohortPlan, type DemoCohortPlan, type DemoSitePlan } from './demo-plan';
export {
  cohortOptionsSchema,
  parseCohortOptions,
  parsePrevalence,
  resolvedPrevalence,
  shortcutFinding,
  shortcutModes,
  shortcutGroups,
  defaultPrevalence,
  SimulatorOptionError,
  type CohortOptions,
  type CohortOptionsInput,
  type ShortcutMode,
  type ShortcutGroup,
  type ShortcutOptions,
  type LesionOptions,
} from './options';
export { siteNames, siteProfiles, type SiteName, type SiteProfile } from './site-profiles';
export { simulateImage, imageStem, type SimulatedImage, type SimulatedAnnotation } from './simulate-image';
export { encodeDicom, encodePng, simulatorVersion } from './encode';
export {
  labelsCsvHeader,
  type AnnotationsFile,
  type AnnotationsImageEntry,
  type FindingEntry,
  type FindingTruth,
} from './cohort-files';
export type { CohortFacts, ShortcutSummary, SubgroupShortcut } from './cohort-summary';
export { decodeRle, encodeRle, type Rle, type Region } from './region';
export { rasterizePolygon, polygonContains, type Polygon, type ReaderStyle } from './annotate';
