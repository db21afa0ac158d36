/**
 * Small region files in the public datasets' layouts (NIH `BBox_List_2017.csv`, VinDr-CXR
 * `annotations_train.csv`, CheXlocalize `gt_annotations_*.json`), as text, for the region import tests.
 */

export interface NihBox {
  readonly image: string;
  readonly label: string;
  readonly box: readonly [number, number, number, number];
}

/** NIH's header and its row shape: x, y, w, h spread over four columns, trailing empty columns. */
export function nihBboxCsv(rows: readonly NihBox[]): string {
  return [
    'Image Index,Finding Label,Bbox [x,y,w,h],,,',
    ...rows.map((r) => `${r.image},${r.label},${r.box.join(',')},,,`),
  ].join('\n');
}

export interface VindrBox {
  readonly image: string;
  readonly rad: string;
  readonly className: string;
  /** x_min, y_min, x_max, y_max; null for "No finding" rows (empty cells). */
  readonly box: readonly [number, number, number, number] | null;
}

/** VinDr-CXR's layout with `class_id` between the name and the coordinates, as Kaggle's copy has it. */
export function vindrCsv(rows: readonly VindrBox[]): string {
  return [
    'image_id,class_name,class_id,rad_id,x_min,y_min,x_max,y_max',
    ...rows.map(
      (r) =>
        `${r.image},${r.className},${r.className === 'No finding' ? 14 : 0},${r.rad},${(r.box ?? ['', '', '', '']).join(',')}`,
    ),
  ].join('\n');
}

export type Contour = readonly (readonly [number, number])[];

export interface ChexlocalizeEntry {
  /** Task name → contours. */
  readonly tasks: Readonly<Record<string, readonly Contour[]>>;
  /** [height, width]; left out of the file when absent. */
  readonly imgSize?: readonly [number, number];
}

/** CheXlocalize's `{ id: { task: [contour, …], img_size: [h, w] } }`. */
export function chexlocalizeJson(entries: Readonly<Record<string, ChexlocalizeEntry>>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(entries).map(([id, e]) => [id, { ...e.tasks, ...(e.imgSize ? { img_size: e.imgSize } : {}) }]),
    ),
  );
}
