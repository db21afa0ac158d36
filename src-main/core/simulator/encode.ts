/** A simulated image as file bytes: a DICOM DX/CR Part 10 file, or a 16-bit grey PNG. */
import sharp from 'sharp';
import {
  projectionImageDataSet,
  uidFromParts,
  writePart10,
  dxForPresentationSopClass,
  crImageSopClass,
} from '../dicom-write';
import type { CohortOptions } from './options';
import { Rng } from './prng';
import type { SimulatedImage } from './simulate-image';
import { siteProfiles } from './site-profiles';

/** The version of the simulator's model; recorded in every output so a change of the model is visible. */
export const simulatorVersion = 1;

/**
 * The DICOM file of an image (or of its marker-free twin, which shares study and series but has its own SOP
 * instance UID). UIDs derive from seed, site and index; MONOCHROME1 stores 4095 − value.
 */
export function encodeDicom(options: CohortOptions, image: SimulatedImage, twin = false): Uint8Array {
  const profile = siteProfiles[options.site];
  const source = twin ? image.twin : image.pixels;
  if (!source) throw new Error(`image ${image.index} has no marker-free twin`);
  const key = [options.seed, options.site, image.index] as const;
  const sopInstanceUid = uidFromParts(twin ? 'instance-twin' : 'instance', ...key);
  const monochrome1 = options.photometric === 'MONOCHROME1';
  const pixels = monochrome1 ? source.map((v) => 4095 - v) : source;
  const when = new Rng(...key, 'study-date');
  const day = new Date(Date.UTC(2025, 0, 1) + when.int(0, 364) * 86_400_000);
  const date = `${day.getUTCFullYear()}${String(day.getUTCMonth() + 1).padStart(2, '0')}${String(day.getUTCDate()).padStart(2, '0')}`;
  const time = `${String(when.int(7, 19)).padStart(2, '0')}${String(when.int(0, 59)).padStart(2, '0')}${String(when.int(0, 59)).padStart(2, '0')}`;
  const number = String(image.index).padStart(5, '0');
  const dataSet = projectionImageDataSet({
    modality: profile.modality,
    sopInstanceUid,
    studyInstanceUid: uidFromParts('study', ...key),
    seriesInstanceUid: uidFromParts('series', ...key),
    studyDate: date,
    studyTime: time,
    patientId: image.patientId,
    patientName: `SIMULATED^${options.site.toUpperCase()} ${number}`,
    patientSex: image.patient.sex,
    patientAgeYears: image.patient.age,
    institutionName: profile.institutionName,
    manufacturer: 'Aligner Workstation simulator',
    manufacturerModelName: profile.manufacturerModelName,
    studyId: number.slice(-16),
    accessionNumber: '',
    seriesNumber: 1,
    instanceNumber: twin ? 2 : 1,
    photometric: options.photometric,
    rows: image.size,
    columns: image.size,
    bitsStored: 12,
    pixelSpacingMm: profile.fieldOfViewMm / image.size,
    windowCenter: monochrome1 ? 4095 - image.window.center : image.window.center,
    windowWidth: image.window.width,
    kvp: profile.kvp,
    imageComments: `Synthetic image (aligner simulate v${simulatorVersion}), not a patient${twin ? '; marker-free twin' : ''}`,
    pixels,
  });
  return writePart10(dataSet, {
    sopClassUid: profile.modality === 'DX' ? dxForPresentationSopClass : crImageSopClass,
    sopInstanceUid,
  });
}

/**
 * A 16-bit grey PNG of the display values (MONOCHROME2), 12 bits scaled to 16 by bit replication
 * (v · 16 + v >> 8, so 4095 → 65535): viewers show it as is, and the importer windows it to its range.
 */
export async function encodePng(image: SimulatedImage, twin = false): Promise<Uint8Array> {
  const source = twin ? image.twin : image.pixels;
  if (!source) throw new Error(`image ${image.index} has no marker-free twin`);
  const wide = new Uint16Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const v = source[i] as number;
    wide[i] = (v << 4) | (v >> 8);
  }
  // A Uint16Array input tells sharp the raw pixels are 16-bit. Quantum noise fills the low bits, so stronger
  // zlib levels save little (≈ 12 % at level 6) and cost most of the encoding time.
  const png = await sharp(wide, { raw: { width: image.size, height: image.size, channels: 1 } })
    .toColourspace('grey16')
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
