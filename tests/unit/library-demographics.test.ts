import { describe, expect, it } from 'vitest';
import {
  ageFromDates,
  ageGroup,
  ageYears,
  normalizeSex,
  parseDicomAge,
  parseDicomDate,
  parseSex,
} from '../../src-main/core/library/demographics';
import { findingDisplayNames, findings, isFinding } from '../../src-main/core/library/findings';

describe('findings', () => {
  it('lists the three findings with display names', () => {
    expect(findings).toEqual(['nodule', 'effusion', 'edema']);
    expect(findings.map((f) => findingDisplayNames[f])).toEqual(['Nodule/mass', 'Pleural effusion', 'Edema']);
    expect(isFinding('edema')).toBe(true);
    expect(isFinding('Edema')).toBe(false);
  });
});

describe('normalizeSex', () => {
  it.each([
    ['M', 'M'],
    ['F', 'F'],
    ['O', 'other'],
    ['Male', 'M'],
    ['female', 'F'],
    [' FEMALE ', 'F'],
    ['m ', 'M'],
    ['F\0', 'F'],
    ['Other', 'other'],
    ['Unknown', 'unknown'],
    ['U', 'unknown'],
    ['', 'unknown'],
    ['   ', 'unknown'],
    [null, 'unknown'],
    [undefined, 'unknown'],
    ['X', 'unknown'],
    ['yes', 'unknown'],
  ] as const)('%j → %s', (raw, expected) => {
    expect(normalizeSex(raw)).toBe(expected);
  });

  it('parseSex tells an unrecognised spelling (null) from a blank one (unknown)', () => {
    expect(parseSex('X')).toBeNull();
    expect(parseSex('')).toBe('unknown');
    expect(parseSex('Unknown')).toBe('unknown');
  });
});

describe('parseDicomAge', () => {
  it('reads each unit as years', () => {
    expect(parseDicomAge('045Y')).toBe(45);
    expect(parseDicomAge('030M')).toBe(2.5);
    expect(parseDicomAge('010W')).toBeCloseTo((10 * 7) / 365.25, 12);
    expect(parseDicomAge('005D')).toBeCloseTo(5 / 365.25, 12);
  });

  it('tolerates missing leading zeros, padding and a lower-case unit', () => {
    expect(parseDicomAge('45Y')).toBe(45);
    expect(parseDicomAge('7Y')).toBe(7);
    expect(parseDicomAge('045Y ')).toBe(45);
    expect(parseDicomAge('045Y\0')).toBe(45);
    expect(parseDicomAge('045y')).toBe(45);
  });

  it.each(['', '   ', 'Y', '45', '45 Y', '0045Y', '-45Y', '4.5Y', '045X', 'abcY', '999Y', '000Y', '000D'])(
    'gives null for %j, never a made-up 0',
    (raw) => {
      expect(parseDicomAge(raw)).toBeNull();
    },
  );

  it('gives null when missing', () => {
    expect(parseDicomAge(null)).toBeNull();
    expect(parseDicomAge(undefined)).toBeNull();
  });
});

describe('parseDicomDate', () => {
  it('reads DA and the old dotted form', () => {
    expect(parseDicomDate('20230415')).toEqual({ year: 2023, month: 4, day: 15 });
    expect(parseDicomDate('2023.04.15')).toEqual({ year: 2023, month: 4, day: 15 });
    expect(parseDicomDate('20230415 ')).toEqual({ year: 2023, month: 4, day: 15 });
  });

  it.each(['', '2023-04-15', '2023.0415', '20230230', '20231301', '00000000', '2023041', 'abcdefgh'])(
    'refuses %j',
    (raw) => {
      expect(parseDicomDate(raw)).toBeNull();
    },
  );
});

describe('ageFromDates', () => {
  it('counts completed years: the day before the birthday is still the younger age', () => {
    expect(ageFromDates('19780415', '20230414')).toBe(44);
    expect(ageFromDates('19780415', '20230415')).toBe(45);
    expect(ageFromDates('19780415', '20231231')).toBe(45);
    expect(ageFromDates('1978.04.15', '2023.04.15')).toBe(45);
  });

  it('puts a 29 February birthday on 1 March in other years', () => {
    expect(ageFromDates('20000229', '20230228')).toBe(22);
    expect(ageFromDates('20000229', '20230301')).toBe(23);
    expect(ageFromDates('20000229', '20240229')).toBe(24);
  });

  it('is fractional under one year', () => {
    expect(ageFromDates('20230101', '20230111')).toBeCloseTo(10 / 365.25, 12);
    expect(ageFromDates('20230101', '20230101')).toBe(0);
  });

  it('gives null for missing or invalid dates, a study before birth, or an implausible age', () => {
    expect(ageFromDates(null, '20230101')).toBeNull();
    expect(ageFromDates('19780415', undefined)).toBeNull();
    expect(ageFromDates('19780431', '20230101')).toBeNull();
    expect(ageFromDates('20230102', '20230101')).toBeNull();
    expect(ageFromDates('18000101', '20230101')).toBeNull();
  });
});

describe('ageYears', () => {
  it('prefers PatientAge, then the dates, then null', () => {
    expect(ageYears({ patientAge: '050Y', birthDate: '19780415', studyDate: '20230415' })).toBe(50);
    expect(ageYears({ patientAge: 'garbage', birthDate: '19780415', studyDate: '20230415' })).toBe(45);
    expect(ageYears({ birthDate: '19780415', studyDate: '20230415' })).toBe(45);
    expect(ageYears({ patientAge: '', birthDate: '19780415' })).toBeNull();
    expect(ageYears({})).toBeNull();
  });
});

describe('ageGroup', () => {
  it('splits at 60 by default, the threshold itself in the upper group', () => {
    expect(ageGroup(59.99)).toBe('<60');
    expect(ageGroup(60)).toBe('>=60');
    expect(ageGroup(0.1)).toBe('<60');
    expect(ageGroup(null)).toBeNull();
  });

  it('labels groups with a custom threshold', () => {
    const group: '<65' | '>=65' | null = ageGroup(64, 65);
    expect(group).toBe('<65');
    expect(ageGroup(65, 65)).toBe('>=65');
  });

  it('refuses a bad age or threshold', () => {
    expect(() => ageGroup(-1)).toThrow(/age must be a non-negative number.*-1/);
    expect(() => ageGroup(Number.NaN)).toThrow(RangeError);
    expect(() => ageGroup(40, 0)).toThrow(/threshold must be a positive number of years, got 0/);
    expect(() => ageGroup(40, Number.POSITIVE_INFINITY)).toThrow(/threshold/);
  });
});
