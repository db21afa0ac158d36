/**
 * Which of the datasets' finding names are ours (nodule, effusion, edema). Names are compared without case or
 * surrounding spaces; every other name is skipped (counted by name), never an error.
 */
import type { Finding } from '../../library/findings';
import type { RegionFileFormat } from './region-record';

const findingNames: Readonly<Record<RegionFileFormat, Readonly<Record<string, Finding>>>> = {
  // NIH ChestX-ray14 bounding boxes: Atelectasis, Cardiomegaly, Effusion, Infiltrate, Mass, Nodule, Pneumonia,
  // Pneumothorax (Edema is an image-level label only, mapped in case a list carries it).
  'nih-bbox': { nodule: 'nodule', mass: 'nodule', effusion: 'effusion', edema: 'edema' },
  // VinDr-CXR local labels: "Nodule/Mass", "Pleural effusion", "Edema" (22-label release), …
  'vindr-csv': { 'nodule/mass': 'nodule', 'pleural effusion': 'effusion', edema: 'edema' },
  // CheXlocalize tasks (CheXpert observations): "Lung Lesion", "Pleural Effusion", "Edema", …
  'chexlocalize-json': { 'lung lesion': 'nodule', 'pleural effusion': 'effusion', edema: 'edema' },
};

/** Our finding id for a dataset's finding name, or null when we do not annotate it. */
export function findingForName(format: RegionFileFormat, name: string): Finding | null {
  return findingNames[format][name.trim().toLowerCase()] ?? null;
}

/** The names mapped for a format, as `name → finding` (lower case), for documentation and tests. */
export function mappedFindingNames(format: RegionFileFormat): Readonly<Record<string, Finding>> {
  return findingNames[format];
}
