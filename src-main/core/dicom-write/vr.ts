/**
 * Value representations the writer supports, and the rules of PS3.5 §6.2 it enforces: which VRs use the
 * 4-byte length form in explicit VR (PS3.5 §7.1.2), how each pads to an even length, and what a valid value
 * looks like. Values are checked before they are written, so a file we write never carries a value that a
 * strict reader (dcmtk, pydicom in RAISE mode) would reject.
 */
import { DicomWriteError } from './dicom-write-error';

export type TextVr =
  'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'DT' | 'IS' | 'LO' | 'LT' | 'PN' | 'SH' | 'ST' | 'TM' | 'UI' | 'UT';
export type NumberVr = 'US' | 'SS' | 'UL';
export type Vr = TextVr | NumberVr | 'OB' | 'OW' | 'UN' | 'SQ';

/** VRs whose explicit-VR header has 2 reserved bytes and a 4-byte length (PS3.5 table 7.1-1). */
export const longFormVrs: ReadonlySet<Vr> = new Set<Vr>(['OB', 'OW', 'UN', 'SQ', 'UT']);

/** Text VRs whose value is one value that may contain a backslash (PS3.5 §6.4). */
const singleValueText: ReadonlySet<TextVr> = new Set<TextVr>(['LT', 'ST', 'UT']);

interface TextRule {
  /** Longest value (for multi-valued VRs: each value), in characters. */
  readonly maxLength: number;
  /** What one value must match (after removing the padding it may carry). */
  readonly pattern?: RegExp;
  readonly describe: string;
}

const uiPattern = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/;
const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const textRules: Readonly<Record<TextVr, TextRule>> = {
  AE: { maxLength: 16, describe: 'an application entity title (16 characters)' },
  AS: { maxLength: 4, pattern: /^\d{3}[DWMY]$/, describe: 'an age string nnnD|W|M|Y' },
  CS: { maxLength: 16, pattern: /^[A-Z0-9 _]*$/, describe: 'a code string (A-Z, 0-9, space, _; 16 characters)' },
  DA: { maxLength: 8, pattern: /^\d{8}$/, describe: 'a date YYYYMMDD' },
  DS: { maxLength: 16, pattern: decimalPattern, describe: 'a decimal string (16 characters)' },
  DT: { maxLength: 26, pattern: /^\d{4,14}(\.\d{1,6})?([+-]\d{4})?$/, describe: 'a date-time' },
  IS: { maxLength: 12, pattern: /^[+-]?\d+$/, describe: 'an integer string (12 characters)' },
  LO: { maxLength: 64, describe: 'a long string (64 characters)' },
  LT: { maxLength: 10240, describe: 'a long text (10240 characters)' },
  PN: { maxLength: 64 * 5, describe: 'a person name' },
  SH: { maxLength: 16, describe: 'a short string (16 characters)' },
  ST: { maxLength: 1024, describe: 'a short text (1024 characters)' },
  TM: { maxLength: 16, pattern: /^([01]\d|2[0-3])([0-5]\d)?([0-5]\d)?(\.\d{1,6})?$/, describe: 'a time HHMMSS.FFFFFF' },
  UI: { maxLength: 64, pattern: uiPattern, describe: 'a UID (digits and dots, no leading zeros, 64 characters)' },
  UT: { maxLength: 2 ** 32 - 2, describe: 'an unlimited text' },
};

/** Characters allowed in text values: the default repertoire (printable ASCII); texts also CR, LF, FF, TAB. */
const printable = /^[\x20-\x7e]*$/;
const printableText = /^[\x20-\x7e\r\n\f\t]*$/;

/**
 * Throws DicomWriteError (naming `where`) unless `value` is a valid value of `vr`. Multi-valued VRs take
 * their values joined with backslashes.
 */
export function checkTextValue(vr: TextVr, value: string, where: string): void {
  const rule = textRules[vr];
  const single = singleValueText.has(vr);
  if (!(single ? printableText : printable).test(value))
    throw new DicomWriteError(`${where}: ${vr} value has characters outside the default repertoire (ASCII)`);
  const values = single ? [value] : value.split('\\');
  for (const one of values) {
    if (one.length > rule.maxLength)
      throw new DicomWriteError(`${where}: ${vr} value "${one}" is longer than ${rule.maxLength} characters`);
    if (vr === 'PN' && one.split('=').some((group) => group.length > 64))
      throw new DicomWriteError(`${where}: PN component group of "${one}" is longer than 64 characters`);
    // Empty values are allowed (type 2 attributes); a value's own spaces are significant only inside.
    const trimmed = vr === 'UI' ? one : one.trim();
    if (trimmed !== '' && rule.pattern && !rule.pattern.test(trimmed))
      throw new DicomWriteError(`${where}: "${one}" is not ${rule.describe}`);
  }
  if (vr === 'UI' && value.length > 64)
    throw new DicomWriteError(`${where}: UID "${value}" is longer than 64 characters`);
}

/** Throws unless every value fits `vr`. */
export function checkNumberValues(vr: NumberVr, values: readonly number[], where: string): void {
  const [min, max] = vr === 'US' ? [0, 0xffff] : vr === 'SS' ? [-0x8000, 0x7fff] : [0, 0xffffffff];
  for (const v of values) {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new DicomWriteError(`${where}: ${vr} value ${v} is not a whole number in ${min}..${max}`);
  }
}

/** The byte a value of `vr` is padded with to an even length: NUL for UI (and OB/UN), space for text. */
export function padByte(vr: Vr): number {
  return vr === 'UI' || vr === 'OB' || vr === 'UN' ? 0x00 : 0x20;
}

/** Whether `uid` is a valid UID (PS3.5 §9.1). */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && uiPattern.test(uid);
}
