import { describe, expect, it } from 'vitest';
import { defaultWindow, pixelStatistics, toModalityValues, windowToUint8 } from '../../src-main/core/dicom';
import { InputError } from '../../src-main/core/input-error';

const grey = (values: number[], center: number, width: number, invert = false) =>
  Array.from(windowToUint8(Float32Array.from(values), { center, width }, invert));

describe('windowToUint8 (PS3.3 C.11.2.1.2.1 linear function)', () => {
  it('maps c - 0.5 - (w-1)/2 and below to 0, above c - 0.5 + (w-1)/2 to 255, and interpolates between', () => {
    // c = 40, w = 400: the ramp runs from -160 (exclusive of 0 at -160) to 239.
    expect(grey([-1000, -160, 239, 239.01, 5000], 40, 400)).toEqual([0, 0, 255, 255, 255]);
    // At x = c - 0.5 the output is half way: 0.5 × 255 = 127.5 → 128.
    expect(grey([39.5], 40, 400)).toEqual([128]);
    // Just above the lower edge: ((-159 - 39.5) / 399 + 0.5) × 255 = 0.639… → 1.
    expect(grey([-159], 40, 400)).toEqual([1]);
    // x = 139.5: ((100 / 399) + 0.5) × 255 = 191.4… → 191.
    expect(grey([139.5], 40, 400)).toEqual([191]);
  });

  it('is a threshold at c - 0.5 when the width is 1', () => {
    expect(grey([9, 9.5, 9.51, 10, 11], 10, 1)).toEqual([0, 0, 255, 255, 255]);
  });

  it('inverts for MONOCHROME1', () => {
    expect(grey([-1000, 39.5, -159, 5000], 40, 400, true)).toEqual([255, 127, 254, 0]);
  });

  it('spans 0..255 over a window the width of the 8-bit range', () => {
    // c = 128, w = 256: x = 0 → 0 (the lower edge), x = 255 → 255 (the upper edge), x = k → k.
    const ramp = Array.from({ length: 256 }, (_, k) => k);
    expect(grey(ramp, 128, 256)).toEqual(ramp);
  });

  it('refuses a width below 1 and values that are not numbers, naming the window', () => {
    const values = Float32Array.from([1]);
    expect(() => windowToUint8(values, { center: 0, width: 0.5 }, false)).toThrow(
      /window width must be at least 1; got 0.5/,
    );
    expect(() => windowToUint8(values, { center: Number.NaN, width: 10 }, false)).toThrow(InputError);
    expect(() => windowToUint8(values, { center: 0, width: Infinity }, false)).toThrow(InputError);
  });
});

describe('defaultWindow', () => {
  const values = Float32Array.from([-100, 0, 50, 300]);

  it('takes the file’s first window', () => {
    expect(defaultWindow({ windowCenter: [40, 400], windowWidth: [350, 2000] }, values)).toEqual({
      center: 40,
      width: 350,
    });
  });

  it('spans min..max when the file has no usable window, so min → 0 and max → 255', () => {
    for (const meta of [
      { windowCenter: [], windowWidth: [] },
      { windowCenter: [40], windowWidth: [0] },
    ]) {
      const window = defaultWindow(meta, values);
      expect(grey([-100, 300, -101, 301], window.center, window.width)).toEqual([0, 255, 0, 255]);
    }
  });

  it('handles a constant image without dividing by zero', () => {
    const flat = Float32Array.from([7, 7, 7]);
    const window = defaultWindow({ windowCenter: [], windowWidth: [] }, flat);
    expect(window.width).toBe(1);
    expect(Array.from(windowToUint8(flat, window, false))).toEqual([0, 0, 0]);
  });
});

describe('toModalityValues and pixelStatistics', () => {
  const stored = (values: number[], samplesPerPixel = 1, photometric = 'MONOCHROME2') => ({
    rows: 1,
    columns: values.length / samplesPerPixel,
    samplesPerPixel,
    photometric,
    values: Int32Array.from(values),
  });

  it('applies rescale slope and intercept', () => {
    const values = toModalityValues(stored([0, 1000, -24]), { rescaleSlope: 2, rescaleIntercept: -1024 });
    expect(Array.from(values)).toEqual([-1024, 976, -1072]);
    expect(pixelStatistics(values)).toEqual({ min: -1072, max: 976, mean: (-1024 + 976 - 1072) / 3 });
  });

  it('takes BT.601 luminance of RGB and Y of YBR, without rescale', () => {
    const rgb = toModalityValues(stored([255, 0, 0, 0, 0, 255], 3, 'RGB'), { rescaleSlope: 2, rescaleIntercept: 5 });
    expect(rgb[0]).toBeCloseTo(0.299 * 255, 3);
    expect(rgb[1]).toBeCloseTo(0.114 * 255, 3);
    const ybr = toModalityValues(stored([90, 128, 128], 3, 'YBR_FULL'), { rescaleSlope: 1, rescaleIntercept: 0 });
    expect(Array.from(ybr)).toEqual([90]);
  });
});
