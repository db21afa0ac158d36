/** Who is imaged: sex, age and body habitus, drawn per patient. */
import type { CohortOptions } from './options';
import type { Rng } from './prng';

export interface SimulatedPatient {
  readonly sex: 'M' | 'F';
  /** Whole years, uniform in the cohort's age range. */
  readonly age: number;
  /** Body build, standard normal: > 0 broader, more soft tissue. */
  readonly habitus: number;
}

export function drawPatient(rng: Rng, options: Pick<CohortOptions, 'femaleFraction' | 'ageRange'>): SimulatedPatient {
  const sex = rng.chance(options.femaleFraction) ? 'F' : 'M';
  const age = rng.int(options.ageRange[0], options.ageRange[1]);
  const habitus = Math.max(-2.5, Math.min(2.5, rng.normal()));
  return { sex, age, habitus };
}
