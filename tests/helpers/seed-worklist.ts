/**
 * Seeds a workspace with a large synthetic worklist straight through SQLite,
 * for benchmarks and tests that need 100,000 images without importing them.
 *
 * Self-contained on purpose: it imports only Node built-ins and types, so that
 * tests/bench/worklist.mjs can load it under plain `node` after stripping the
 * types (see loadSeedWorklist there). The caller opens the database (a
 * workspace the app created, so the schema is the app's) and passes it in.
 */
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type Database from 'better-sqlite3';

export interface SeedOptions {
  /** How many images rows. */
  readonly images: number;
  /** How many sources they spread over (roles cycle train, validation, ood-test). Default 4. */
  readonly sources?: number;
  /** PRNG seed, for the same worklist on every run. Default 1. */
  readonly seed?: number;
  /** The thumbnail PNG shared by every image. Default: a 128 × 104 grey gradient with noise. */
  readonly thumbnailPng?: Uint8Array;
  /** Share of images with labels for the three findings. Default 0.7. */
  readonly labelledShare?: number;
  /** Share of images with one attention region. Default 0.02. */
  readonly annotatedShare?: number;
}

export interface SeedResult {
  readonly images: number;
  readonly sources: number;
  readonly labels: number;
  readonly annotations: number;
  readonly seconds: number;
}

const findings = ['nodule', 'effusion', 'edema'] as const;
const roles = ['train', 'validation', 'ood-test'] as const;

/**
 * Inserts `images` rows (with a sources row per source, one tiny blob per
 * image, the shared thumbnail, labels and a few annotations) in one
 * transaction. Demographics are spread as in a real cohort: sex M/F with a few
 * 'other' and 'unknown', ages 18–95 with about 3% unknown.
 */
export function seedWorklist(db: Database.Database, options: SeedOptions): SeedResult {
  const started = performance.now();
  const random = prng(options.seed ?? 1);
  const sourceCount = options.sources ?? 4;
  const labelledShare = options.labelledShare ?? 0.7;
  const annotatedShare = options.annotatedShare ?? 0.02;
  const thumbnail = Buffer.from(options.thumbnailPng ?? defaultThumbnail());
  const { width: thumbWidth, height: thumbHeight } = pngSize(thumbnail);
  let labels = 0;
  let annotations = 0;

  db.transaction(() => {
    const insertSource = db.prepare('INSERT INTO sources (name, role, description) VALUES (?, ?, ?)');
    const sourceIds: number[] = [];
    for (let s = 0; s < sourceCount; s += 1) {
      const role = roles[s % roles.length] ?? 'train';
      sourceIds.push(Number(insertSource.run(`seed-site-${s + 1}`, role, 'seeded for a benchmark').lastInsertRowid));
    }
    const insertBlob = db.prepare('INSERT INTO blobs (sha256, format, size, bytes) VALUES (?, ?, ?, ?)');
    const insertImage = db.prepare(
      `INSERT INTO images (blob_sha256, source_id, format, original_name, sop_instance_uid, study_instance_uid,
         series_instance_uid, patient_pseudonym, sex, age_years, study_date, modality, view_position, body_part,
         rows, cols, bits_allocated, bits_stored, pixel_representation, photometric, transfer_syntax,
         window_center, window_width, pixel_min, pixel_max, pixel_mean)
       VALUES (?, ?, 'dicom', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'CHEST', ?, ?, 16, 12, 0, 'MONOCHROME2',
         '1.2.840.10008.1.2.1', 1800, 3000, 0, 4095, 1500)`,
    );
    const insertThumb = db.prepare('INSERT INTO thumbnails (image_id, width, height, png) VALUES (?, ?, ?, ?)');
    const insertLabel = db.prepare("INSERT INTO labels (image_id, finding, value, origin) VALUES (?, ?, ?, 'csv')");
    const insertAnnotation = db.prepare(
      "INSERT INTO annotations (image_id, finding, annotator, geometry) VALUES (?, ?, 'seed', ?)",
    );
    const root = '1.2.826.0.1.3680043.10.999';
    for (let i = 0; i < options.images; i += 1) {
      const bytes = Buffer.from(`seeded image ${i}`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      insertBlob.run(sha256, 'dicom', bytes.length, bytes);
      const patient = Math.floor(i / 2);
      const r = random();
      const sex = r < 0.48 ? 'M' : r < 0.96 ? 'F' : r < 0.98 ? 'other' : 'unknown';
      const age = random() < 0.03 ? null : Math.round((18 + random() * 77) * 10) / 10;
      const month = String(1 + (i % 12)).padStart(2, '0');
      const imageId = Number(
        insertImage.run(
          sha256,
          sourceIds[i % sourceIds.length],
          `img${String(i).padStart(6, '0')}.dcm`,
          `${root}.3.${i}`,
          `${root}.1.${patient}`,
          `${root}.2.${i}`,
          createHash('sha256').update(`patient ${patient}`).digest('hex').slice(0, 16),
          sex,
          age,
          `2024${month}15`,
          random() < 0.8 ? 'DX' : 'CR',
          random() < 0.7 ? 'PA' : 'AP',
          2500,
          2048,
        ).lastInsertRowid,
      );
      insertThumb.run(imageId, thumbWidth, thumbHeight, thumbnail);
      if (random() < labelledShare) {
        for (const finding of findings) {
          insertLabel.run(imageId, finding, random() < 0.15 ? 1 : 0);
          labels += 1;
        }
      }
      if (random() < annotatedShare) {
        const finding = findings[Math.floor(random() * findings.length)] ?? 'nodule';
        insertAnnotation.run(
          imageId,
          finding,
          JSON.stringify({ kind: 'rect', x: 400, y: 600, width: 300, height: 260 }),
        );
        annotations += 1;
      }
    }
  })();
  db.pragma('optimize');
  return {
    images: options.images,
    sources: sourceCount,
    labels,
    annotations,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

/** An 8-bit greyscale PNG, `pixel(x, y)` giving each value 0..255. */
export function grayPng(width: number, height: number, pixel: (x: number, y: number) => number): Buffer {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x += 1) {
      raw[y * (width + 1) + 1 + x] = Math.max(0, Math.min(255, Math.round(pixel(x, y))));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit, greyscale, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
}

/** About the size of a real import's thumbnail: 128 × 104, a chest-like gradient with noise. */
function defaultThumbnail(): Buffer {
  const random = prng(7);
  return grayPng(128, 104, (x, y) => {
    const body = Math.exp(-(((x / 128 - 0.5) / 0.42) ** 6 + ((y / 104 - 0.55) / 0.55) ** 6));
    const lungs =
      Math.exp(-(((x / 128 - 0.32) / 0.13) ** 2 + ((y / 104 - 0.45) / 0.25) ** 2)) +
      Math.exp(-(((x / 128 - 0.68) / 0.13) ** 2 + ((y / 104 - 0.45) / 0.25) ** 2));
    return 20 + 200 * body - 110 * lungs * body + (random() - 0.5) * 12;
  });
}

/** mulberry32: uniform in [0, 1), the same sequence for the same seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
