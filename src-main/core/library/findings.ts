/**
 * The findings the product classifies and annotates (the paper's three: nodule/mass, pleural effusion, edema).
 * Their ids are stored in the `labels` and `annotations` tables; never rename one, add a new id instead.
 */
import { z } from 'zod';

/** Finding ids, in the order the UI and model heads list them. */
export const findings = ['nodule', 'effusion', 'edema'] as const;
export type Finding = (typeof findings)[number];

export const findingSchema = z.enum(findings);

/** What a radiologist reads for each finding id. */
export const findingDisplayNames: Readonly<Record<Finding, string>> = {
  nodule: 'Nodule/mass',
  effusion: 'Pleural effusion',
  edema: 'Edema',
};

export function isFinding(value: string): value is Finding {
  return (findings as readonly string[]).includes(value);
}
