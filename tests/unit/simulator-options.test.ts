import { describe, expect, it } from 'vitest';
import {
  parseCohortOptions,
  parsePrevalence,
  resolvedPrevalence,
  shortcutFinding,
  SimulatorOptionError,
} from '../../src-main/core/simulator/options';
import { InputError } from '../../src-main/core/input-error';

describe('cohort options', () => {
  it('fill in the documented defaults', () => {
    const o = parseCohortOptions({ out: '/tmp/x' });
    expect(o).toMatchObject({
      n: 100,
      seed: '1',
      site: 'riverside',
      size: 512,
      format: 'dicom',
      photometric: 'MONOCHROME2',
      findings: ['nodule', 'effusion', 'edema'],
      femaleFraction: 0.5,
      ageRange: [20, 90],
      annotateFraction: 0.5,
      annotators: 1,
      markerSize: 0.055,
      firstIndex: 1,
      shortcut: { group: 'sex', mode: 'label', otherMode: 'random', strength: 0.8, markerRate: 0.5, ageThreshold: 60 },
      lesion: { noduleAmplitude: 0.45, noduleRadius: [0.02, 0.045], effusionAmplitude: 0.4, edemaAmplitude: 0.25 },
    });
    expect(resolvedPrevalence(o)).toEqual({ nodule: 0.3, effusion: 0.3, edema: 0.3 });
    expect(shortcutFinding(o)).toBe('nodule');
    expect(shortcutFinding(parseCohortOptions({ out: 'x', findings: ['edema', 'nodule'] }))).toBe('edema');
  });

  it('resolve one prevalence for all findings, or per finding with the default for the rest', () => {
    expect(
      resolvedPrevalence(parseCohortOptions({ out: 'x', prevalence: 0.1, findings: ['nodule', 'edema'] })),
    ).toEqual({
      nodule: 0.1,
      edema: 0.1,
    });
    expect(resolvedPrevalence(parseCohortOptions({ out: 'x', prevalence: { effusion: 0.7 } }))).toEqual({
      nodule: 0.3,
      effusion: 0.7,
      edema: 0.3,
    });
  });

  it.each([
    [{ n: 0 }, /^n: /],
    [{ size: 100 }, /^size: /],
    [{ shortcut: { strength: 1.2 } }, /^shortcut\.strength: must be in \[0, 1\]/],
    [{ shortcut: { mode: 'sometimes' } }, /^shortcut\.mode: /],
    [{ format: 'png', photometric: 'MONOCHROME1' }, /^photometric: MONOCHROME1 needs format dicom/],
    [{ findings: ['nodule'], shortcut: { finding: 'edema' } }, /^shortcut\.finding: /],
    [
      { findings: ['nodule'], prevalence: { edema: 0.2 } },
      /^prevalence: a prevalence is given for a finding that is not simulated/,
    ],
    [{ findings: ['nodule', 'nodule'] }, /^findings: a finding is listed twice/],
    [{ ageRange: [70, 30] }, /^ageRange: /],
    [{ lesion: { noduleRadius: [0.05, 0.01] } }, /^lesion\.noduleRadius: /],
    [{ unknown: 1 }, /^options: |unrecognized/i],
  ])('refuse %j with a message naming the option', (bad, message) => {
    const attempt = (): unknown => parseCohortOptions({ out: 'x', ...(bad as object) });
    expect(attempt).toThrow(SimulatorOptionError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
    }
  });
});

describe('parsePrevalence', () => {
  it('reads one probability or FINDING=P pairs', () => {
    expect(parsePrevalence('0.25')).toBe(0.25);
    expect(parsePrevalence(' nodule=0.4, effusion=.2 ')).toEqual({ nodule: 0.4, effusion: 0.2 });
  });

  it.each(['1.5', 'nodule', 'tumour=0.2', 'nodule=0.2,nodule=0.3', 'nodule=-1', 'nodule=0.2=3'])(
    'refuses %s',
    (text) => {
      expect(() => parsePrevalence(text)).toThrow(SimulatorOptionError);
    },
  );
});
