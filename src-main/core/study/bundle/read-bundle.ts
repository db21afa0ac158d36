import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  bundleFiles,
  bundleFormat,
  bundleManifestSchema,
  bundleRegionsSchema,
  type BundleImage,
  type BundleManifest,
  type BundleRegions,
} from '../../../api/bundle-schemas';
import { InputError } from '../../input-error';
import { parseImagesCsv, parseSubsetsCsv } from './bundle-csv';
import type { RunSubset } from './study-membership';
import { readTar } from './tar';
import { sha256 } from './write-bundle';

export interface StudyBundle {
  readonly manifest: BundleManifest;
  readonly images: readonly BundleImage[];
  readonly subsets: readonly RunSubset[];
  readonly regions: BundleRegions;
}

/**
 * Reads and checks a bundle written by {@link writeStudyBundle} (or re-packed with tar): every file present,
 * `bundle.json` of this format, each file's SHA-256 as listed, the CSVs and regions.json well formed and
 * consistent with the manifest.
 *
 * @throws InputError (field `bundle`) naming the file and what is wrong
 */
export function readStudyBundle(path: string): StudyBundle {
  const fail = (message: string): never => {
    throw new InputError(`${path}: ${message}`, 'bundle');
  };
  let archive: Buffer;
  try {
    archive = readFileSync(path);
  } catch (err) {
    return fail(`cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let entries;
  try {
    entries = readTar(archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive);
  } catch (err) {
    return fail(`not a study bundle (${err instanceof Error ? err.message : String(err)})`);
  }
  const files = new Map(entries.map((e) => [e.name.replace(/^[^/]+\/(?=bundle\.json$|[^/]+$)/, ''), e.data]));
  for (const name of bundleFiles) if (!files.has(name)) fail(`not a study bundle: it has no ${name}`);
  const text = (name: string): string => (files.get(name) as Buffer).toString('utf8');

  let raw: unknown;
  try {
    raw = JSON.parse(text('bundle.json'));
  } catch {
    return fail('bundle.json is not JSON');
  }
  if ((raw as { format?: unknown } | null)?.format !== bundleFormat) fail(`bundle.json is not a ${bundleFormat}`);
  const parsed = bundleManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`bundle.json: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
  }
  const manifest = parsed.data;
  for (const name of bundleFiles) {
    if (name === 'bundle.json') continue;
    const expected = manifest.files[name];
    if (expected === undefined) fail(`bundle.json lists no digest for ${name}`);
    if (sha256(files.get(name) as Buffer) !== expected)
      fail(`${name} was changed after the bundle was made (SHA-256 differs)`);
  }

  let images: BundleImage[];
  let subsets: RunSubset[];
  let regions: BundleRegions;
  try {
    images = parseImagesCsv(text('images.csv'));
    subsets = parseSubsetsCsv(text('subsets.csv'));
    regions = bundleRegionsSchema.parse(JSON.parse(text('regions.json')));
  } catch (err) {
    return fail(err instanceof Error ? (err.message.split('\n')[0] ?? 'invalid') : String(err));
  }
  const config = manifest.study.config;
  if (regions.finding !== config.finding)
    fail(`regions.json is for '${regions.finding}', the study for '${config.finding}'`);
  for (const source of manifest.sources) {
    const count = images.filter((i) => i.source === source.name && i.split === source.split).length;
    if (count !== source.images)
      fail(`images.csv lists ${count} images of '${source.name}', bundle.json ${source.images}`);
  }
  if (subsets.length !== manifest.runs.length || subsets.some((s, i) => s.index !== i))
    fail(`subsets.csv describes ${subsets.length} runs, bundle.json ${manifest.runs.length}`);
  return { manifest, images, subsets, regions };
}
