import { join } from 'node:path';
import { openWorkspace, type WorkspaceDb } from '../../src-main/core/db/open-workspace';
import type { RegionGeometry } from '../../src-main/api/annotation-schemas';
import { tempDir } from './paths';

/**
 * A real workspace file in a temporary folder, filled row by row with SQL:
 * sources, images (on one shared placeholder blob), labels and regions.
 */
export class AnnotationFixture {
  readonly workspace: WorkspaceDb;
  private readonly dir = tempDir('aligner-annotations-');
  private images = 0;

  constructor() {
    this.workspace = openWorkspace(join(this.dir.path, 'w.db'));
    this.workspace.db
      .prepare("INSERT INTO blobs (sha256, format, size, bytes) VALUES ('placeholder', 'png', 1, x'00')")
      .run();
  }

  get db(): WorkspaceDb['db'] {
    return this.workspace.db;
  }

  /** @returns the source id */
  source(name: string, role: 'train' | 'validation' | 'ood-test'): number {
    return Number(this.db.prepare('INSERT INTO sources (name, role) VALUES (?, ?)').run(name, role).lastInsertRowid);
  }

  /**
   * @param labels finding → 0/1
   * @returns the image id
   */
  image(sourceId: number, size: { cols: number; rows: number }, labels: Record<string, 0 | 1> = {}): number {
    this.images++;
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO images (blob_sha256, source_id, format, original_name, rows, cols)
           VALUES ('placeholder', ?, 'png', ?, ?, ?)`,
        )
        .run(sourceId, `image-${this.images}.png`, size.rows, size.cols).lastInsertRowid,
    );
    for (const [finding, value] of Object.entries(labels)) {
      this.db
        .prepare("INSERT INTO labels (image_id, finding, value, origin) VALUES (?, ?, ?, 'test')")
        .run(id, finding, value);
    }
    return id;
  }

  /** @returns the annotation id */
  region(
    imageId: number,
    finding: string,
    annotator: string,
    geometry: RegionGeometry,
    options: { deleted?: boolean } = {},
  ): number {
    return Number(
      this.db
        .prepare('INSERT INTO annotations (image_id, finding, annotator, geometry, deleted) VALUES (?, ?, ?, ?, ?)')
        .run(imageId, finding, annotator, JSON.stringify(geometry), options.deleted ? 1 : 0).lastInsertRowid,
    );
  }

  remove(): void {
    this.workspace.close();
    this.dir.remove();
  }
}

export const rect = (x: number, y: number, width: number, height: number): RegionGeometry => ({
  kind: 'rect',
  x,
  y,
  width,
  height,
});
