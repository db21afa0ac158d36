/**
 * Named acquisition sites. Each profile is a hospital's way of taking and processing a chest radiograph: the
 * tone curve its processing applies, its detector noise and unsharpness, exposure, and how carefully patients
 * are positioned (rotation, shift). Sites differ the way hospitals do, so a model can tell them apart.
 */
import { z } from 'zod';

export interface SiteProfile {
  readonly name: string;
  /** Written as InstitutionName. */
  readonly institutionName: string;
  readonly modality: 'DX' | 'CR';
  readonly manufacturerModelName: string;
  readonly kvp: number;
  /** Detector width (= height) in mm; pixel spacing is this over the image size. */
  readonly fieldOfViewMm: number;
  /**
   * Tone curve from density (air 0, soft tissue ≈ 0.7, bone ≈ 0.9) to display value in [0, 1]: a logistic of
   * `slope` around `center`, normalised so density 0 maps to 0 and 2 to 1, then raised to `gamma`.
   */
  readonly curve: { readonly slope: number; readonly center: number; readonly gamma: number };
  /** Mean density multiplier (technique and processing gain). */
  readonly exposure: number;
  /** Standard deviation of the per-image relative exposure change. */
  readonly exposureJitter: number;
  /** Quantum noise: standard deviation at mid grey, as a fraction of full scale. */
  readonly noise: number;
  /** Low-frequency structured noise (mottle), standard deviation in density units. */
  readonly mottle: number;
  /** Detector unsharpness: passes of a [1 2 1]/4 blur at 512 px (scaled with the image size). */
  readonly blurPasses: number;
  /** Largest patient rotation in the image plane, degrees (uniform in ±). */
  readonly maxRotationDeg: number;
  /** Largest patient shift, as a fraction of the image size (uniform in ± on each axis). */
  readonly maxShift: number;
}

export const siteNames = ['riverside', 'hillcrest', 'lakeside', 'summit'] as const;
export type SiteName = (typeof siteNames)[number];
export const siteNameSchema = z.enum(siteNames);

export const siteProfiles: Readonly<Record<SiteName, SiteProfile>> = {
  riverside: {
    name: 'riverside',
    institutionName: 'Riverside General Hospital',
    modality: 'DX',
    manufacturerModelName: 'SimDX 500',
    kvp: 120,
    fieldOfViewMm: 430,
    curve: { slope: 4.2, center: 0.48, gamma: 1.0 },
    exposure: 1.0,
    exposureJitter: 0.03,
    noise: 0.01,
    mottle: 0.012,
    blurPasses: 1,
    maxRotationDeg: 2,
    maxShift: 0.02,
  },
  hillcrest: {
    name: 'hillcrest',
    institutionName: 'Hillcrest University Medical Center',
    modality: 'DX',
    manufacturerModelName: 'SimDX 900',
    kvp: 125,
    fieldOfViewMm: 430,
    curve: { slope: 5.2, center: 0.45, gamma: 0.9 },
    exposure: 1.04,
    exposureJitter: 0.02,
    noise: 0.006,
    mottle: 0.009,
    blurPasses: 0,
    maxRotationDeg: 1.5,
    maxShift: 0.015,
  },
  lakeside: {
    name: 'lakeside',
    institutionName: 'Lakeside Community Hospital',
    modality: 'CR',
    manufacturerModelName: 'SimCR 35',
    kvp: 110,
    fieldOfViewMm: 400,
    curve: { slope: 3.4, center: 0.5, gamma: 1.05 },
    exposure: 0.96,
    exposureJitter: 0.05,
    noise: 0.015,
    mottle: 0.016,
    blurPasses: 2,
    maxRotationDeg: 3,
    maxShift: 0.03,
  },
  summit: {
    name: 'summit',
    institutionName: 'Summit Regional Clinic',
    modality: 'CR',
    manufacturerModelName: 'SimCR 10',
    kvp: 100,
    fieldOfViewMm: 430,
    curve: { slope: 3.9, center: 0.56, gamma: 1.2 },
    exposure: 0.93,
    exposureJitter: 0.06,
    noise: 0.021,
    mottle: 0.02,
    blurPasses: 3,
    maxRotationDeg: 4,
    maxShift: 0.04,
  },
};
