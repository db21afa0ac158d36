/**
 * Numbered schema migrations, applied in order inside one transaction each.
 * The schema version is SQLite's `user_version`. Never edit a migration that
 * has shipped: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'workspace metadata, sources, blobs, images and their caches, labels, annotations, studies and runs',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE sources (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        role        TEXT NOT NULL CHECK (role IN ('train', 'validation', 'ood-test')),
        description TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;

      CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        format TEXT NOT NULL CHECK (format IN ('dicom', 'png', 'jpeg')),
        size   INTEGER NOT NULL,
        bytes  BLOB NOT NULL
      ) STRICT;

      CREATE TABLE images (
        id                  INTEGER PRIMARY KEY,
        blob_sha256         TEXT NOT NULL REFERENCES blobs(sha256),
        source_id           INTEGER NOT NULL REFERENCES sources(id),
        format              TEXT NOT NULL CHECK (format IN ('dicom', 'png', 'jpeg')),
        -- File name (not the full path: folders often carry patient names) as imported.
        original_name       TEXT NOT NULL,
        sop_instance_uid    TEXT UNIQUE,
        study_instance_uid  TEXT,
        series_instance_uid TEXT,
        patient_pseudonym   TEXT,
        sex                 TEXT NOT NULL DEFAULT 'unknown' CHECK (sex IN ('M', 'F', 'other', 'unknown')),
        age_years           REAL CHECK (age_years IS NULL OR age_years >= 0),
        study_date          TEXT,
        modality            TEXT,
        view_position       TEXT,
        body_part           TEXT,
        manufacturer        TEXT,
        institution_name    TEXT,
        rows                INTEGER NOT NULL CHECK (rows > 0),
        cols                INTEGER NOT NULL CHECK (cols > 0),
        bits_allocated      INTEGER,
        bits_stored         INTEGER,
        pixel_representation INTEGER,
        photometric         TEXT,
        transfer_syntax     TEXT,
        rescale_slope       REAL NOT NULL DEFAULT 1,
        rescale_intercept   REAL NOT NULL DEFAULT 0,
        window_center       REAL,
        window_width        REAL,
        pixel_spacing_row   REAL,
        pixel_spacing_col   REAL,
        number_of_frames    INTEGER NOT NULL DEFAULT 1,
        pixel_min           REAL,
        pixel_max           REAL,
        pixel_mean          REAL,
        imported_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;
      CREATE INDEX images_source ON images(source_id);
      CREATE INDEX images_blob ON images(blob_sha256);
      CREATE INDEX images_sex ON images(sex);
      CREATE INDEX images_age ON images(age_years);

      -- Decoded, windowed, resized pixels (uint8, size x size, row-major) so training never decodes DICOM.
      CREATE TABLE image_cache (
        image_id      INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        size          INTEGER NOT NULL,
        window_center REAL NOT NULL,
        window_width  REAL NOT NULL,
        pixels        BLOB NOT NULL,
        PRIMARY KEY (image_id, size)
      ) STRICT;

      CREATE TABLE thumbnails (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        width    INTEGER NOT NULL,
        height   INTEGER NOT NULL,
        png      BLOB NOT NULL
      ) STRICT;

      CREATE TABLE labels (
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        finding  TEXT NOT NULL,
        value    INTEGER NOT NULL CHECK (value IN (0, 1)),
        origin   TEXT NOT NULL,
        PRIMARY KEY (image_id, finding)
      ) STRICT;
      CREATE INDEX labels_finding ON labels(finding, value);

      CREATE TABLE annotations (
        id         INTEGER PRIMARY KEY,
        image_id   INTEGER NOT NULL REFERENCES images(id),
        finding    TEXT NOT NULL,
        annotator  TEXT NOT NULL,
        geometry   TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
      ) STRICT;
      CREATE INDEX annotations_image ON annotations(image_id, finding);

      CREATE TABLE studies (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        config     TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;

      CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        study_id    INTEGER REFERENCES studies(id),
        config      TEXT NOT NULL,
        seed        INTEGER NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        backend     TEXT,
        checkpoint  TEXT,
        error       TEXT,
        created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        started_at  TEXT,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX runs_study ON runs(study_id);
    `,
  },
  {
    version: 2,
    description: 'annotators, per-image undo history, finding flags, reading notes and active time',
    sql: `
      -- People who draw (chosen at first start). Imported dataset readers need no row here.
      CREATE TABLE annotators (
        name       TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 80),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;

      -- Every edit of a region, per image and annotator, so undo/redo survives a restart.
      -- The undone entries are always the newest ones of a stack; a new edit drops them.
      CREATE TABLE annotation_history (
        id            INTEGER PRIMARY KEY,
        image_id      INTEGER NOT NULL REFERENCES images(id),
        annotator     TEXT NOT NULL,
        annotation_id INTEGER NOT NULL REFERENCES annotations(id),
        action        TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
        before        TEXT,
        after         TEXT,
        state         TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'dropped')),
        created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;
      CREATE INDEX annotation_history_stack ON annotation_history(image_id, annotator, state, id);

      -- "No visible finding" and "uncertain", per image, finding and annotator.
      CREATE TABLE finding_flags (
        image_id   INTEGER NOT NULL REFERENCES images(id),
        finding    TEXT NOT NULL,
        annotator  TEXT NOT NULL,
        no_finding INTEGER NOT NULL DEFAULT 0 CHECK (no_finding IN (0, 1)),
        uncertain  INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (image_id, finding, annotator)
      ) STRICT;

      -- One reader's work on one image: the free-text note and the active time spent.
      CREATE TABLE image_reads (
        image_id       INTEGER NOT NULL REFERENCES images(id),
        annotator      TEXT NOT NULL,
        note           TEXT NOT NULL DEFAULT '',
        active_seconds REAL NOT NULL DEFAULT 0 CHECK (active_seconds >= 0),
        first_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (image_id, annotator)
      ) STRICT;

      CREATE INDEX annotations_annotator ON annotations(annotator, finding);
    `,
  },
  {
    version: 3,
    description: 'training runs: outcome columns, per-epoch metrics, test predictions with attention maps',
    sql: `
      ALTER TABLE runs ADD COLUMN progress TEXT;
      ALTER TABLE runs ADD COLUMN device TEXT;
      ALTER TABLE runs ADD COLUMN best_epoch INTEGER;
      ALTER TABLE runs ADD COLUMN val_auc REAL;
      ALTER TABLE runs ADD COLUMN test_auc REAL;
      ALTER TABLE runs ADD COLUMN seconds REAL;
      ALTER TABLE runs ADD COLUMN last_epoch INTEGER;
      -- The process recording a running run (pid@host): a run whose owner is gone was interrupted.
      ALTER TABLE runs ADD COLUMN owner TEXT;
      CREATE INDEX runs_status ON runs(status);

      CREATE TABLE run_epochs (
        run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch      INTEGER NOT NULL CHECK (epoch >= 0),
        loss_ce    REAL NOT NULL,
        loss_al    REAL NOT NULL,
        val_auc    REAL,
        seconds    REAL NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (run_id, epoch)
      ) STRICT;

      -- Scores of the chosen checkpoint on the test sources; attention is float32 [g×g], row-major.
      CREATE TABLE predictions (
        run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        image_id  INTEGER NOT NULL REFERENCES images(id),
        finding   TEXT NOT NULL,
        score     REAL NOT NULL,
        attention BLOB,
        PRIMARY KEY (run_id, image_id, finding)
      ) STRICT;
    `,
  },
  {
    version: 4,
    description: 'evaluation cache: per run, image and finding the attention peak at image size and the IoU',
    sql: `
      -- What evaluating one attention map costs a bilinear upsampling to the image's full size for (the pointing
      -- game's peak, the Otsu mask's statistics, the IoU), kept so the Fairness view does not redo it per call.
      -- The peak and the statistics depend on the map and the image size only; the region columns on the human
      -- regions too, and hold only while regions_key (a fingerprint of the live regions they were computed
      -- from) matches the current regions. The hit itself is not stored: it is a point test of the current
      -- regions at the peak.
      CREATE TABLE run_image_evaluations (
        run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        image_id      INTEGER NOT NULL REFERENCES images(id),
        finding       TEXT NOT NULL,
        -- First maximum (row-major) of the map upsampled to the image, in image pixels.
        peak_x        INTEGER NOT NULL,
        peak_y        INTEGER NOT NULL,
        -- The upsampled map's minimum and maximum, Otsu's level of ⌊255·(v − min)/(max − min)⌋ (NULL for a
        -- constant map) and the attention mask's pixel count; att_pixels NULL: not computed yet.
        att_min       REAL,
        att_max       REAL,
        att_threshold INTEGER,
        att_pixels    INTEGER,
        -- NULL: the region columns were never computed.
        regions_key   TEXT,
        -- 1 when the union of every annotator's mask sets a pixel (the image counts in the pointing game).
        masked        INTEGER CHECK (masked IN (0, 1)),
        -- IoU of the attention mask with that union; NULL when not masked.
        iou           REAL,
        PRIMARY KEY (run_id, finding, image_id)
      ) STRICT;

      -- A prediction written again (a run re-scored) makes its cached peak stale.
      CREATE TRIGGER predictions_evaluation_insert AFTER INSERT ON predictions BEGIN
        DELETE FROM run_image_evaluations
        WHERE run_id = NEW.run_id AND finding = NEW.finding AND image_id = NEW.image_id;
      END;
      CREATE TRIGGER predictions_evaluation_update AFTER UPDATE ON predictions BEGIN
        DELETE FROM run_image_evaluations
        WHERE run_id = OLD.run_id AND finding = OLD.finding AND image_id = OLD.image_id;
      END;
    `,
  },
  {
    version: 5,
    description: 'studies: queue state (active, paused, cancelled), timing estimate, the process running it',
    sql: `
      ALTER TABLE studies ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
        CHECK (state IN ('active', 'paused', 'cancelled'));
      -- The timing probe's measurement and the estimated total (JSON, StudyEstimate).
      ALTER TABLE studies ADD COLUMN estimate TEXT;
      -- Runs trained at once.
      ALTER TABLE studies ADD COLUMN concurrency INTEGER NOT NULL DEFAULT 1 CHECK (concurrency BETWEEN 1 AND 16);
      -- The process taking its runs (pid@host): one at a time; a study whose owner is gone was interrupted.
      ALTER TABLE studies ADD COLUMN owner TEXT;
      CREATE INDEX runs_study_status ON runs(study_id, status, id);
    `,
  },
  {
    version: 6,
    description: 'studies: the reproducibility bundle a study was re-run from',
    sql: `
      -- The bundle's bundle.json (JSON, BundleManifest) when the study was re-run from one, else NULL: what its
      -- runs are compared with.
      ALTER TABLE studies ADD COLUMN bundle TEXT;
    `,
  },
];

/** The newest schema version this build of the app understands. */
export const latestSchemaVersion: number = migrations.reduce((max, m) => Math.max(max, m.version), 0);
