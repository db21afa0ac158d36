import type { ImagePixelsMeta, VoiWindowValue } from '@contract/viewer-schemas';
import { applyLut, buildLut, cumulativeHistogram, presetWindow, type PresetName } from './voi-lut';

/** One resolution of the image: its values and the canvas they are windowed into. */
interface Level {
  /** Image pixels per level pixel along each axis (1: full resolution). */
  readonly factor: number;
  readonly values: Uint16Array;
  readonly canvas: HTMLCanvasElement;
  readonly context: CanvasRenderingContext2D;
  readonly imageData: ImageData;
  readonly out: Uint32Array;
  lutKey: string;
}

/**
 * The full-resolution image as canvases the stage draws: the Uint16 values
 * from the host, windowed into RGBA through a lookup table. A half-resolution
 * level (2×2 means of the values) serves views zoomed out to half size or
 * less, where every screen pixel covers at least four image pixels anyway: a
 * window change then maps a quarter of the pixels. Zoomed in, the full level
 * is shown, pixel for pixel.
 */
export class ImageRaster {
  readonly values: Uint16Array;
  readonly #levels: Level[] = [];
  #cumulative: Uint32Array | null = null;

  constructor(
    readonly meta: ImagePixelsMeta,
    data: Uint8Array,
  ) {
    const n = meta.columns * meta.rows;
    if (data.byteLength !== n * 2) {
      throw new Error(`pixel data has ${data.byteLength} bytes, expected ${n * 2} for ${meta.columns}×${meta.rows}`);
    }
    // Copy into an aligned buffer (an HTTP body slice may start at any byte).
    this.values =
      data.byteOffset % 2 === 0
        ? new Uint16Array(data.buffer, data.byteOffset, n)
        : new Uint16Array(data.slice().buffer, 0, n);
    this.#levels.push(level(1, this.values, meta.columns, meta.rows));
  }

  /** The canvas of the full-resolution level (what a zoom of more than ½ shows). */
  get canvas(): HTMLCanvasElement {
    return (this.#levels[0] as Level).canvas;
  }

  /**
   * Windows the level that suits the view's scale (screen pixels per image
   * pixel) and returns its canvas; a no-op for a level already windowed so.
   */
  render(window: VoiWindowValue, invert: boolean, scale: number): HTMLCanvasElement {
    const chosen = scale <= 0.5 ? this.#half() : (this.#levels[0] as Level);
    const key = `${window.center}/${window.width}/${invert}`;
    if (chosen.lutKey !== key) {
      chosen.lutKey = key;
      applyLut(chosen.values, buildLut(this.meta, window, invert), chosen.out);
      chosen.context.putImageData(chosen.imageData, 0, 0);
    }
    return chosen.canvas;
  }

  preset(name: PresetName): VoiWindowValue {
    this.#cumulative ??= cumulativeHistogram(this.values, this.meta.maxValue);
    return presetWindow(name, this.meta, this.#cumulative);
  }

  /** The modality value under an image pixel, for the readout. */
  valueAt(x: number, y: number): number | null {
    const col = Math.floor(x);
    const row = Math.floor(y);
    if (col < 0 || row < 0 || col >= this.meta.columns || row >= this.meta.rows) return null;
    return (this.values[row * this.meta.columns + col] as number) * this.meta.scale + this.meta.bias;
  }

  /** The half-resolution level, built on first use (a small image keeps only its full level). */
  #half(): Level {
    const existing = this.#levels[1];
    if (existing) return existing;
    const { columns, rows } = this.meta;
    if (columns < 64 || rows < 64) return this.#levels[0] as Level;
    const width = Math.floor(columns / 2);
    const height = Math.floor(rows / 2);
    const values = new Uint16Array(width * height);
    const v = this.values;
    for (let y = 0; y < height; y++) {
      const top = 2 * y * columns;
      const bottom = top + columns;
      for (let x = 0; x < width; x++) {
        const i = 2 * x;
        values[y * width + x] =
          ((v[top + i] as number) +
            (v[top + i + 1] as number) +
            (v[bottom + i] as number) +
            (v[bottom + i + 1] as number) +
            2) >>
          2;
      }
    }
    const half = level(2, values, width, height);
    this.#levels.push(half);
    return half;
  }
}

function level(factor: number, values: Uint16Array, width: number, height: number): Level {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser has no 2-D canvas');
  const imageData = context.createImageData(width, height);
  return { factor, values, canvas, context, imageData, out: new Uint32Array(imageData.data.buffer), lutKey: '' };
}
