/**
 * Sex and age of a patient, read from DICOM attributes or dataset CSV cells, normalised to what the
 * `images` table stores (`sex` ∈ M | F | other | unknown, `age_years` REAL or NULL) and binned into the
 * subgroups the fairness evaluation compares.
 *
 * Nothing here invents a value: anything missing, malformed or implausible becomes `unknown` / null.
 */

export const sexes = ['M', 'F', 'other', 'unknown'] as const;
export type Sex = (typeof sexes)[number];

/** Ages above this many years are treated as errors in the source (e.g. NIH ChestX-ray14's ages of 414). */
export const maxPlausibleAgeYears = 130;

/** The age threshold of the paper's age subgroups, in years. */
export const defaultAgeThreshold = 60;

const DAYS_PER_YEAR = 365.25;

/** Spellings we recognise, after removing whitespace and lower-casing. */
const sexSpellings: ReadonlyMap<string, Sex> = new Map<string, Sex>([
  ['m', 'M'],
  ['male', 'M'],
  ['f', 'F'],
  ['female', 'F'],
  ['o', 'other'],
  ['other', 'other'],
  ['u', 'unknown'],
  ['unk', 'unknown'],
  ['unknown', 'unknown'],
  ['', 'unknown'],
]);

/**
 * Reads a sex from DICOM PatientSex (M, F, O, blank) or a dataset's spelling (Male, Female, Other, Unknown,
 * U), ignoring case, whitespace and DICOM's NUL padding. Missing and blank give `'unknown'`.
 *
 * @returns null when the spelling is not one of those: the caller decides whether that is worth a warning.
 */
export function parseSex(raw: string | null | undefined): Sex | null {
  if (raw === null || raw === undefined) return 'unknown';
  return sexSpellings.get(raw.replace(/[\s\0]+/g, '').toLowerCase()) ?? null;
}

/** {@link parseSex}, with an unrecognised spelling read as `'unknown'`. */
export function normalizeSex(raw: string | null | undefined): Sex {
  return parseSex(raw) ?? 'unknown';
}

const dicomAgePattern = /^(\d{1,3})([DWMY])$/i;
const unitYears: Readonly<Record<string, number>> = { D: 1 / DAYS_PER_YEAR, W: 7 / DAYS_PER_YEAR, M: 1 / 12, Y: 1 };

/**
 * Reads DICOM PatientAge (VR AS, `nnnD|W|M|Y`) as years: `045Y` → 45, `030M` → 2.5, `010W` → 70 / 365.25,
 * `005D` → 5 / 365.25. Tolerates missing leading zeros (`45Y`), a lower-case unit and space or NUL padding.
 *
 * @returns null for anything malformed (`45`, `45 Y`, `Y`, `-1Y`), for an age above
 *   {@link maxPlausibleAgeYears}, and for an all-zero age (`000Y`): anonymisers write that as a
 *   placeholder, and a real age under one unit is written in a smaller unit (`006M`, `003D`).
 */
export function parseDicomAge(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined) return null;
  const match = dicomAgePattern.exec(raw.replace(/^[\s\0]+|[\s\0]+$/g, ''));
  if (!match) return null;
  const count = Number(match[1]);
  const perUnit = unitYears[(match[2] ?? '').toUpperCase()];
  if (count === 0 || perUnit === undefined) return null;
  const years = count * perUnit;
  return years <= maxPlausibleAgeYears ? years : null;
}

/** A calendar date, month and day 1-based. */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const dicomDatePattern = /^(\d{4})(\.?)(\d{2})\2(\d{2})$/;

/**
 * Reads a DICOM date (VR DA, `YYYYMMDD`, or the ACR-NEMA `YYYY.MM.DD` that old files still carry), with
 * space or NUL padding. @returns null when missing or not a real calendar date (`20230230`, `00000000`).
 */
export function parseDicomDate(raw: string | null | undefined): CalendarDate | null {
  if (raw === null || raw === undefined) return null;
  const match = dicomDatePattern.exec(raw.replace(/^[\s\0]+|[\s\0]+$/g, ''));
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[3]), Number(match[4])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2023-02-30 over to March 2; a real date survives the round trip. Years 0–99 are
  // mapped to 1900–1999 by Date.UTC, so they never survive it either.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return { year, month, day };
}

/**
 * A patient's age at the study, from DICOM PatientBirthDate and StudyDate (see {@link parseDicomDate}).
 *
 * Convention: **completed years**, as PatientAge states it and as a radiologist says it: 45 from the 45th
 * birthday until the day before the 46th, so an age group's boundary falls on the birthday itself. Someone
 * born on 29 February has their birthday on 1 March in other years. Under one year, where completed years
 * would say 0, the age is fractional (days / 365.25, the unit {@link parseDicomAge} uses for `nnnD`).
 *
 * @returns null when either date is missing or invalid, the study is before the birth, or the age is above
 *   {@link maxPlausibleAgeYears}.
 */
export function ageFromDates(
  birthDate: string | null | undefined,
  studyDate: string | null | undefined,
): number | null {
  const birth = parseDicomDate(birthDate);
  const study = parseDicomDate(studyDate);
  if (!birth || !study) return null;
  const days = (utcMs(study) - utcMs(birth)) / 86_400_000;
  if (days < 0) return null;
  const beforeBirthday = study.month < birth.month || (study.month === birth.month && study.day < birth.day);
  const years = study.year - birth.year - (beforeBirthday ? 1 : 0);
  if (years < 1) return days / DAYS_PER_YEAR;
  return years <= maxPlausibleAgeYears ? years : null;
}

function utcMs(date: CalendarDate): number {
  return Date.UTC(date.year, date.month - 1, date.day);
}

/** The DICOM attributes an age can come from; each may be absent. */
export interface AgeSources {
  /** PatientAge (0010,1010), e.g. `045Y`. */
  readonly patientAge?: string | null;
  /** PatientBirthDate (0010,0030), `YYYYMMDD`. */
  readonly birthDate?: string | null;
  /** StudyDate (0008,0020), `YYYYMMDD`. */
  readonly studyDate?: string | null;
}

/**
 * A patient's age in years: PatientAge when it parses ({@link parseDicomAge}), else computed from the birth and
 * study dates ({@link ageFromDates}), else null.
 */
export function ageYears(sources: AgeSources): number | null {
  return parseDicomAge(sources.patientAge) ?? ageFromDates(sources.birthDate, sources.studyDate);
}

/** The label of an age subgroup, e.g. `'<60'` and `'>=60'` for the default threshold. */
export type AgeGroup<T extends number = typeof defaultAgeThreshold> = `<${T}` | `>=${T}`;

/**
 * Bins an age into the two subgroups the fairness evaluation compares: below the threshold, or at or above
 * it (a patient is `'>=60'` from their 60th birthday on).
 *
 * @param age in years; null (unknown) gives null.
 * @param threshold in years, positive; default {@link defaultAgeThreshold} (60). The labels carry it.
 * @throws RangeError for a negative or non-finite age or a threshold that is not a positive number.
 */
export function ageGroup<const T extends number = typeof defaultAgeThreshold>(
  age: number | null,
  threshold?: T,
): AgeGroup<T> | null {
  const limit = threshold ?? defaultAgeThreshold;
  if (!Number.isFinite(limit) || limit <= 0) {
    throw new RangeError(`age group threshold must be a positive number of years, got ${String(threshold)}`);
  }
  if (age === null) return null;
  if (!Number.isFinite(age) || age < 0) {
    throw new RangeError(`age must be a non-negative number of years or null, got ${String(age)}`);
  }
  return (age < limit ? `<${limit}` : `>=${limit}`) as AgeGroup<T>;
}
