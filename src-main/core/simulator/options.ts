/**
 * What a cohort is made of: every option of `aligner simulate` and of {@link generateCohort}, validated with
 * zod. Defaults are given in each field's doc comment and in docs/simulator.md.
 */
import { z } from 'zod';
import { InputError } from '../input-error';
import { defaultAgeThreshold } from '../library/demographics';
import { findingSchema, findings, type Finding } from '../library/findings';
import { siteNameSchema } from './site-profiles';

const probability = z.number().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]');
const amplitude = z.number().min(0, 'must be in [0, 2]').max(2, 'must be in [0, 2]');
/** A whole number in [min, max], with a message that says so. */
const wholeIn = (min: number, max: number): z.ZodNumber =>
  z
    .number()
    .int(`must be a whole number in [${min}, ${max}]`)
    .min(min, `must be a whole number in [${min}, ${max}]`)
    .max(max, `must be a whole number in [${min}, ${max}]`);

/**
 * How the marker is placed within one subgroup (K = strength, q = marker rate, y = the shortcut finding's label):
 * - `label`: the marker equals y with probability (1 + K) / 2 — P(marker | y=1) − P(marker | y=0) = K;
 * - `reversed`: the marker equals 1 − y with probability (1 + K) / 2 — that difference is −K;
 * - `random`: the marker is present with probability q whatever y is — the difference is 0;
 * - `none`: never a marker.
 */
export const shortcutModes = ['label', 'reversed', 'random', 'none'] as const;
export type ShortcutMode = (typeof shortcutModes)[number];
export const shortcutModeSchema = z.enum(shortcutModes);

export const shortcutGroups = ['sex', 'age', 'none'] as const;
export type ShortcutGroup = (typeof shortcutGroups)[number];

export const shortcutOptionsSchema = z
  .object({
    /**
     * Who is in the shortcut subgroup: `sex` → women (F), `age` → patients aged ≥ `ageThreshold`, `none` →
     * everyone (so `otherMode` is unused). Default `sex`.
     */
    group: z.enum(shortcutGroups).default('sex'),
    /** Marker placement in the shortcut subgroup. Default `label`. */
    mode: shortcutModeSchema.default('label'),
    /** Marker placement in the other subgroup. Default `random`. */
    otherMode: shortcutModeSchema.default('random'),
    /** K in [0, 1]: P(marker | positive) − P(marker | negative) in a `label` subgroup. Default 0.8. */
    strength: probability.default(0.8),
    /** q: the marker's probability in a `random` subgroup. Default 0.5. */
    markerRate: probability.default(0.5),
    /** The finding whose label the marker follows. Default: the first simulated finding. */
    finding: findingSchema.optional(),
    /** Age (years) from which a patient is in the `age` subgroup. Default 60. */
    ageThreshold: wholeIn(1, 120).default(defaultAgeThreshold),
  })
  .strict();

export const lesionOptionsSchema = z
  .object({
    /**
     * Peak density a nodule adds at its centre, in the units where soft tissue is ≈ 0.7 and aerated lung
     * ≈ 0.3. Default 0.45: SCIENCE-NOTES finding 4 saw a micro model learn nothing below ≈ 0.4.
     */
    noduleAmplitude: amplitude.default(0.45),
    /** Nodule radius range, as fractions of the image size. Default [0.02, 0.045] (≈ 0.9–1.9 cm). */
    noduleRadius: z
      .tuple([
        z.number().min(0.005, 'must be in [0.005, 0.2]').max(0.2, 'must be in [0.005, 0.2]'),
        z.number().min(0.005, 'must be in [0.005, 0.2]').max(0.2, 'must be in [0.005, 0.2]'),
      ])
      .refine(([a, b]) => a <= b, 'the smallest radius must not exceed the largest')
      .default([0.02, 0.045]),
    /** Density an effusion adds (fluid replacing aerated lung). Default 0.4. */
    effusionAmplitude: amplitude.default(0.4),
    /** Peak density of the perihilar haze of edema. Default 0.25. */
    edemaAmplitude: amplitude.default(0.25),
  })
  .strict();

export const cohortOptionsSchema = z
  .object({
    /** Folder to write into; created if absent, must be empty if present. */
    out: z.string().min(1),
    /** Images (one per patient). Default 100. */
    n: wholeIn(1, 1_000_000).default(100),
    /** Any string; the same seed and options give byte-identical files. Default `'1'`. */
    seed: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').default('1'),
    /** Acquisition site profile. Default `riverside`. */
    site: siteNameSchema.default('riverside'),
    /** Image side in pixels (square images). Default 512. */
    size: wholeIn(128, 4096).default(512),
    /** `dicom` (DX or CR Part 10, by the site) or `png` (16-bit grey). Default `dicom`. */
    format: z.enum(['dicom', 'png']).default('dicom'),
    /** DICOM only. Default `MONOCHROME2`. */
    photometric: z.enum(['MONOCHROME2', 'MONOCHROME1']).default('MONOCHROME2'),
    /** Findings simulated (the others' label columns are left blank). Default all three. */
    findings: z
      .array(findingSchema)
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'a finding is listed twice')
      .default([...findings]),
    /**
     * Probability that an image has each finding (independently): one number for every finding, or one per
     * finding. Default 0.3 for each.
     */
    prevalence: z.union([probability, z.partialRecord(findingSchema, probability)]).default({}),
    /** Probability that a patient is female. Default 0.5. */
    femaleFraction: probability.default(0.5),
    /** Ages are drawn uniformly from these whole years (both included). Default [20, 90]. */
    ageRange: z
      .tuple([wholeIn(1, 120), wholeIn(1, 120)])
      .refine(([a, b]) => a <= b, 'the lowest age must not exceed the highest')
      .default([20, 90]),
    /** Share of images with at least one positive finding that get human annotations. Default 0.5. */
    annotateFraction: probability.default(0.5),
    /** Readers who annotate each annotated image (from a pool of max(3, N) simulated readers). Default 1. */
    annotators: wholeIn(1, 10).default(1),
    shortcut: shortcutOptionsSchema.default(() => shortcutOptionsSchema.parse({})),
    lesion: lesionOptionsSchema.default(() => lesionOptionsSchema.parse({})),
    /** Marker height as a fraction of the image size. Default 0.055. */
    markerSize: z.number().min(0.02, 'must be in [0.02, 0.2]').max(0.2, 'must be in [0.02, 0.2]').default(0.055),
    /** Also write a marker-free twin of every image into this folder (not inside `out`). Default none. */
    twinsDir: z.string().min(1).optional(),
    /** Number of the first image (file names, instance numbers). Default 1. */
    firstIndex: wholeIn(1, 9_999_999).default(1),
  })
  .strict()
  .refine((o) => o.format === 'dicom' || o.photometric === 'MONOCHROME2', {
    message: 'MONOCHROME1 needs format dicom (a PNG has no photometric interpretation)',
    path: ['photometric'],
  })
  .refine((o) => o.shortcut.finding === undefined || o.findings.includes(o.shortcut.finding), {
    message: 'the shortcut finding must be one of the simulated findings',
    path: ['shortcut', 'finding'],
  })
  .refine(
    (o) =>
      typeof o.prevalence === 'number' || Object.keys(o.prevalence).every((f) => o.findings.includes(f as Finding)),
    {
      message: 'a prevalence is given for a finding that is not simulated',
      path: ['prevalence'],
    },
  );

export type CohortOptionsInput = z.input<typeof cohortOptionsSchema>;
export type CohortOptions = z.output<typeof cohortOptionsSchema>;

/** Prevalence used for a simulated finding given no prevalence. */
export const defaultPrevalence = 0.3;

/** The options with every default filled in, or the first problem as one line naming the option. */
export function parseCohortOptions(input: CohortOptionsInput): CohortOptions {
  const parsed = cohortOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || 'options';
  throw new SimulatorOptionError(`${where}: ${issue?.message ?? 'invalid'}`, where);
}

/** Each simulated finding's prevalence, defaults filled in. */
export function resolvedPrevalence(options: CohortOptions): Partial<Record<Finding, number>> {
  const given = options.prevalence;
  return Object.fromEntries(
    options.findings.map((f) => [f, typeof given === 'number' ? given : (given[f] ?? defaultPrevalence)]),
  );
}

/** The finding the marker follows: the one named, else the first simulated. */
export function shortcutFinding(options: CohortOptions): Finding {
  return options.shortcut.finding ?? (options.findings[0] as Finding);
}

/**
 * `--prevalence` text: one probability for every finding (`0.3`) or per finding (`nodule=0.4,effusion=0.2`).
 * @throws SimulatorOptionError naming what does not parse
 */
export function parsePrevalence(text: string): Partial<Record<Finding, number>> | number {
  const trimmed = text.trim();
  if (/^[\d.]+$/.test(trimmed)) return parseProbability(trimmed, 'prevalence');
  const out: Partial<Record<Finding, number>> = {};
  for (const part of trimmed.split(',')) {
    const [name, value, extra] = part.split('=').map((s) => s.trim());
    const finding = findingSchema.safeParse(name);
    if (!finding.success || value === undefined || extra !== undefined)
      throw new SimulatorOptionError(
        `prevalence: "${part}" is not FINDING=P with FINDING one of ${findings.join(', ')}`,
        'prevalence',
      );
    if (out[finding.data] !== undefined)
      throw new SimulatorOptionError(`prevalence: ${finding.data} is given twice`, 'prevalence');
    out[finding.data] = parseProbability(value, `prevalence of ${finding.data}`);
  }
  return out;
}

function parseProbability(text: string, name: string): number {
  const value = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!(value >= 0 && value <= 1))
    throw new SimulatorOptionError(`${name}: "${text}" is not a number in [0, 1]`, 'prevalence');
  return value;
}

/** An option the simulator refuses (an InputError: the CLI exits 2); `field` names it as a dotted path. */
export class SimulatorOptionError extends InputError {
  constructor(message: string, field: string) {
    super(message, field);
    this.name = 'SimulatorOptionError';
  }
}

export type LesionOptions = z.output<typeof lesionOptionsSchema>;
export type ShortcutOptions = z.output<typeof shortcutOptionsSchema>;
