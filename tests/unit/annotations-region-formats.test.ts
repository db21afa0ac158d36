import { describe, expect, it } from 'vitest';
import { parseRegionFile, RegionFileError } from '../../src-main/core/annotations/region-import';
import { imageStem } from '../../src-main/core/annotations/region-import/match-images';
import { placeRegion } from '../../src-main/core/annotations/region-import/place-region';
import { canonicalJson } from '../../src-main/core/annotations/region-import/store-regions';
import { maskFileName } from '../../src-main/core/annotations/region-export';
import { rasterizeRegions } from '../../src-main/core/annotations/rasterize';
import { chexlocalizeJson, nihBboxCsv, vindrCsv } from '../helpers/region-files';

/** The error a parse throws (fails the test when it does not throw). */
function parseError(run: () => unknown): RegionFileError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(RegionFileError);
    return err as RegionFileError;
  }
  throw new Error('expected a RegionFileError');
}

describe('NIH BBox_List_2017.csv', () => {
  const text = nihBboxCsv([
    { image: '00013118_008.png', label: 'Atelectasis', box: [225.08, 547.01, 86.77, 79.18] },
    { image: '00014716_007.png', label: 'Nodule', box: [563.2, 309.3, 40.5, 38.1] },
    { image: '00014716_007.png', label: 'Mass', box: [100, 200, 300, 400] },
    { image: '00000003_000.png', label: 'Effusion', box: [10, 20, 30, 40] },
    { image: '00000003_000.png', label: 'Infiltrate', box: [1, 2, 3, 4] },
  ]);

  it('reads x, y, w, h spread over four columns as boxes, Nodule and Mass as nodule', () => {
    const parsed = parseRegionFile('nih-bbox', text, 'BBox_List_2017.csv');
    expect(parsed.format).toBe('nih-bbox');
    expect(parsed.records.map((r) => [r.imageKey, r.finding, r.findingName])).toEqual([
      ['00014716_007.png', 'nodule', 'Nodule'],
      ['00014716_007.png', 'nodule', 'Mass'],
      ['00000003_000.png', 'effusion', 'Effusion'],
    ]);
    expect(parsed.records[0]).toMatchObject({
      region: { kind: 'box', x0: 563.2, y0: 309.3, x1: 563.2 + 40.5, y1: 309.3 + 38.1 },
      reader: null,
      imageSize: null,
      where: 'line 3',
    });
    expect(parsed.skippedFindings).toEqual({ Atelectasis: 1, Infiltrate: 1 });
  });

  it('reads rows without the trailing empty columns, a byte-order mark, CRLF and columns named x,y,w,h', () => {
    const plain = '\uFEFFImage Index,Finding Label,Bbox [x,y,w,h],,,\r\na.png,Nodule,1,2,3,4\r\n';
    expect(parseRegionFile('nih-bbox', plain, 'f.csv').records[0]?.region).toEqual({
      kind: 'box',
      x0: 1,
      y0: 2,
      x1: 4,
      y1: 6,
    });
    const named = 'Image Index,Finding Label,x,y,w,h\na.png,Edema,5,6,7,8\n';
    expect(parseRegionFile('nih-bbox', named, 'f.csv').records[0]).toMatchObject({
      finding: 'edema',
      region: { x0: 5, y0: 6, x1: 12, y1: 14 },
    });
  });

  it('names the file and line of a malformed row', () => {
    const bad = nihBboxCsv([
      { image: 'a.png', label: 'Nodule', box: [1, 2, 3, 4] },
      { image: 'b.png', label: 'Mass', box: [1, 2, 3, 4] },
    ]).replace('b.png,Mass,1,', 'b.png,Mass,one,');
    expect(parseError(() => parseRegionFile('nih-bbox', bad, 'boxes.csv')).message).toBe(
      "boxes.csv line 3: x must be a finite number; got 'one'",
    );
    const short = 'Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Nodule,1,2,3\n';
    expect(parseError(() => parseRegionFile('nih-bbox', short, 'boxes.csv')).message).toBe(
      'boxes.csv line 2: h must be a finite number; got an empty cell',
    );
    const negative = 'Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Nodule,1,2,-3,4\n';
    expect(parseError(() => parseRegionFile('nih-bbox', negative, 'boxes.csv')).message).toMatch(
      /^boxes\.csv line 2: .*must not be negative/,
    );
    const infinite = 'Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Nodule,1,Infinity,3,4\n';
    expect(parseError(() => parseRegionFile('nih-bbox', infinite, 'boxes.csv')).message).toMatch(/line 2: y must/);
    const noImage = 'Image Index,Finding Label,Bbox [x,y,w,h],,,\n,Nodule,1,2,3,4\n';
    expect(parseError(() => parseRegionFile('nih-bbox', noImage, 'boxes.csv')).message).toMatch(/line 2: .*empty/);
  });

  it('refuses a file of another layout, an empty file and broken quoting, naming the file', () => {
    expect(parseError(() => parseRegionFile('nih-bbox', 'image_id,class_name\n', 'x.csv')).message).toMatch(
      /^x\.csv line 1: no 'image index' column/,
    );
    expect(parseError(() => parseRegionFile('nih-bbox', 'Image Index,Finding Label\n', 'x.csv')).message).toMatch(
      /^x\.csv line 1: no 'Bbox \[x,y,w,h\]' column/,
    );
    expect(parseError(() => parseRegionFile('nih-bbox', '', 'x.csv')).message).toMatch(/^x\.csv: the file is empty/);
    const quote = 'Image Index,Finding Label,Bbox [x,y,w,h],,,\n"a.png,Nodule,1,2,3,4\n';
    expect(parseError(() => parseRegionFile('nih-bbox', quote, 'x.csv')).message).toMatch(
      /^x\.csv line \d+: not valid CSV/,
    );
  });
});

describe('VinDr-CXR annotations CSV', () => {
  const text = vindrCsv([
    { image: '9a5094b2563a1ef3ff50dc5c7ff71345', rad: 'R10', className: 'No finding', box: null },
    { image: '47ed17dcb2cbeec15182ed335a8b5a9e', rad: 'R9', className: 'Nodule/Mass', box: [557, 532, 612, 590] },
    { image: '47ed17dcb2cbeec15182ed335a8b5a9e', rad: 'R8', className: 'Pleural effusion', box: [1, 2, 3, 4] },
    { image: '47ed17dcb2cbeec15182ed335a8b5a9e', rad: 'R8', className: 'Aortic enlargement', box: [1, 2, 3, 4] },
  ]);

  it('finds columns by header name, keeps rad_id as the reader, and counts No finding as skipped', () => {
    const parsed = parseRegionFile('vindr-csv', text, 'annotations_train.csv');
    expect(parsed.records).toEqual([
      {
        imageKey: '47ed17dcb2cbeec15182ed335a8b5a9e',
        finding: 'nodule',
        findingName: 'Nodule/Mass',
        region: { kind: 'box', x0: 557, y0: 532, x1: 612, y1: 590 },
        reader: 'R9',
        imageSize: null,
        where: 'line 3',
      },
      expect.objectContaining({ finding: 'effusion', reader: 'R8', where: 'line 4' }),
    ]);
    expect(parsed.skippedFindings).toEqual({ 'No finding': 1, 'Aortic enlargement': 1 });
  });

  it('reads files without rad_id (the test set) and matches class names without case', () => {
    const noReader = 'image_id,class_name,x_min,y_min,x_max,y_max\nabc,pleural EFFUSION,1,2,3,4\n';
    expect(parseRegionFile('vindr-csv', noReader, 'f.csv').records[0]).toMatchObject({
      finding: 'effusion',
      reader: null,
    });
  });

  it('names the file and line of a malformed row', () => {
    const empty = 'image_id,rad_id,class_name,x_min,y_min,x_max,y_max\nabc,R1,Nodule/Mass,,,,\n';
    expect(parseError(() => parseRegionFile('vindr-csv', empty, 'v.csv')).message).toBe(
      'v.csv line 2: x_min must be a finite number; got an empty cell',
    );
    const swapped = 'image_id,rad_id,class_name,x_min,y_min,x_max,y_max\nabc,R1,Edema,10,2,5,4\n';
    expect(parseError(() => parseRegionFile('vindr-csv', swapped, 'v.csv')).message).toMatch(
      /^v\.csv line 2: x_max and y_max must not be less/,
    );
    const missing = 'image_id,rad_id,class_name,x_min,y_min,x_max\n';
    expect(parseError(() => parseRegionFile('vindr-csv', missing, 'v.csv')).message).toMatch(
      /^v\.csv line 1: no 'y_max' column/,
    );
    const noClass = 'image_id,rad_id,class_name,x_min,y_min,x_max,y_max\nabc,R1,,1,2,3,4\n';
    expect(parseError(() => parseRegionFile('vindr-csv', noClass, 'v.csv')).message).toBe(
      'v.csv line 2: class_name is empty',
    );
  });
});

describe('CheXlocalize polygon JSON', () => {
  const text = chexlocalizeJson({
    patient64541_study1_view1_frontal: {
      imgSize: [2320, 2828],
      tasks: {
        'Lung Lesion': [
          [
            [10, 10],
            [50, 10],
            [30, 40],
          ],
        ],
        Edema: [
          [
            [0, 0],
            [5, 0],
            [5, 5],
          ],
          [
            [7, 7],
            [9, 7],
            [9, 9],
            [7, 9],
          ],
        ],
        Cardiomegaly: [
          [
            [1, 1],
            [2, 1],
            [2, 2],
          ],
        ],
      },
    },
  });

  it('makes one polygon per contour, carries img_size as width × height, counts other tasks by contour', () => {
    const parsed = parseRegionFile('chexlocalize-json', text, 'gt_annotations_val.json');
    expect(parsed.records.map((r) => [r.finding, r.where])).toEqual([
      ['nodule', "key 'patient64541_study1_view1_frontal' / 'Lung Lesion' contour 1"],
      ['edema', "key 'patient64541_study1_view1_frontal' / 'Edema' contour 1"],
      ['edema', "key 'patient64541_study1_view1_frontal' / 'Edema' contour 2"],
    ]);
    expect(parsed.records[0]).toMatchObject({
      imageKey: 'patient64541_study1_view1_frontal',
      region: {
        kind: 'polygon',
        points: [
          [10, 10],
          [50, 10],
          [30, 40],
        ],
      },
      imageSize: { width: 2828, height: 2320 },
    });
    expect(parsed.skippedFindings).toEqual({ Cardiomegaly: 1 });
  });

  it('names the file and key of a malformed entry', () => {
    const at = (json: string): string => parseError(() => parseRegionFile('chexlocalize-json', json, 'g.json')).message;
    expect(at('{"a": ')).toMatch(/^g\.json: not valid JSON/);
    expect(at('[1, 2]')).toBe('g.json: expected an object keyed by image id');
    expect(at('{"img1": 3}')).toBe("g.json key 'img1': expected an object of task names and img_size");
    expect(at('{"img1": {"Edema": [[[1, 2], [3]]], "img_size": [10, 10]}}')).toBe(
      "g.json key 'img1' / 'Edema' contour 1 point 2: expected [x, y], two finite numbers",
    );
    expect(at('{"img1": {"Edema": [[[1, 2], [3, "4"], [5, 6]]]}}')).toMatch(/contour 1 point 2/);
    expect(at('{"img1": {"Edema": {"x": 1}}}')).toBe("g.json key 'img1' / 'Edema': expected a list of contours");
    expect(at('{"img1": {"Edema": [], "img_size": [0, 10]}}')).toBe(
      "g.json key 'img1': img_size must be [height, width], two positive numbers",
    );
  });
});

describe('placing a region on its image', () => {
  const image = { columns: 100, rows: 80 };

  it('keeps a box inside the image as a rect, clips one that reaches past, rejects one outside or empty', () => {
    expect(placeRegion({ kind: 'box', x0: 10, y0: 20, x1: 30, y1: 25 }, null, image)).toEqual({
      ok: true,
      geometry: { kind: 'rect', x: 10, y: 20, width: 20, height: 5 },
      clipped: false,
    });
    expect(placeRegion({ kind: 'box', x0: -10, y0: 70, x1: 30, y1: 95 }, null, image)).toEqual({
      ok: true,
      geometry: { kind: 'rect', x: 0, y: 70, width: 30, height: 10 },
      clipped: true,
    });
    expect(placeRegion({ kind: 'box', x0: 100, y0: 0, x1: 130, y1: 10 }, null, image)).toEqual({
      ok: false,
      reason: 'outside',
    });
    expect(placeRegion({ kind: 'box', x0: 5, y0: 5, x1: 5, y1: 10 }, null, image)).toEqual({
      ok: false,
      reason: 'empty',
    });
  });

  it('scales coordinates per axis from the file image size to the stored one', () => {
    expect(
      placeRegion({ kind: 'box', x0: 100, y0: 100, x1: 300, y1: 200 }, { width: 1000, height: 400 }, image),
    ).toEqual({
      ok: true,
      geometry: { kind: 'rect', x: 10, y: 20, width: 20, height: 20 },
      clipped: false,
    });
  });

  it('clips a polygon to the image so that the mask equals the unclipped one, and rejects one outside', () => {
    const points: [number, number][] = [
      [-20, 10],
      [60, -15],
      [120, 50],
      [40, 100],
    ];
    const placed = placeRegion({ kind: 'polygon', points }, null, image);
    expect(placed).toMatchObject({ ok: true, clipped: true });
    if (!placed.ok || placed.geometry.kind !== 'polygon') throw new Error('expected a polygon');
    for (const [x, y] of placed.geometry.points) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(100);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(80);
    }
    expect(rasterizeRegions([placed.geometry], image)).toEqual(rasterizeRegions([{ kind: 'polygon', points }], image));
    const outside = placeRegion(
      {
        kind: 'polygon',
        points: [
          [-5, -5],
          [-1, -5],
          [-1, -1],
        ],
      },
      null,
      image,
    );
    expect(outside).toEqual({ ok: false, reason: 'outside' });
    const line = placeRegion(
      {
        kind: 'polygon',
        points: [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
      },
      null,
      image,
    );
    expect(line).toEqual({ ok: false, reason: 'empty' });
    expect(placeRegion({ kind: 'polygon', points: [[1, 1]] }, null, image)).toEqual({ ok: false, reason: 'empty' });
  });
});

describe('helpers', () => {
  it('compares geometry whatever its key order', () => {
    expect(canonicalJson({ kind: 'rect', y: 2, x: 1, width: 3, height: 4 })).toBe(
      canonicalJson({ height: 4, width: 3, x: 1, y: 2, kind: 'rect' }),
    );
  });

  it('drops only known image extensions from names', () => {
    expect(imageStem('abc.dicom')).toBe('abc');
    expect(imageStem('00000003_000.PNG')).toBe('00000003_000');
    expect(imageStem('1.2.840.10008.5')).toBe('1.2.840.10008.5');
  });

  it('names mask files by image, finding and a file-safe annotator', () => {
    expect(maskFileName(12, 'nodule')).toBe('12_nodule.png');
    expect(maskFileName(12, 'nodule', 'vindr/R8')).toBe('12_nodule_vindr-R8.png');
  });
});
