import type { ImagePixelsMeta, VoiWindowValue } from '@contract/viewer-schemas';
import { applyLut, buildLut, cumulativeHistogram, presetWindow, type PresetName } from './voi-lut';

/**
 * The full-resolution image as a canvas the stage draws: the Uint16 values
 * from the host, windowed into an RGBA ImageData through a lookup table.
 */
export class ImageRaster {
  readonly canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #imageData: ImageData;
  readonly #out: Uint32Array;
  readonly values: Uint16Array;
  #cumulative: Uint32Array | null = null;
  #lutKey = '';

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
    this.canvas = document.createElement('canvas');
    this.canvas.width = meta.columns;
    this.canvas.height = meta.rows;
    const context = this.canvas.getContext('2d', { willReadFrequently: false });
    if (!context) throw new Error('this browser has no 2-D canvas');
    this.#context = context;
    this.#imageData = context.createImageData(meta.columns, meta.rows);
    this.#out = new Uint32Array(this.#imageData.data.buffer);
  }

  /** Re-windows the canvas; a no-op when nothing changed. */
  setWindow(window: VoiWindowValue, invert: boolean): void {
    const key = `${window.center}/${window.width}/${invert}`;
    if (key === this.#lutKey) return;
    this.#lutKey = key;
    applyLut(this.values, buildLut(this.meta, window, invert), this.#out);
    this.#context.putImageData(this.#imageData, 0, 0);
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
}
