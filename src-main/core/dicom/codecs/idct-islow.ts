/**
 * The "slow but accurate" integer inverse DCT of the IJG library (jidctint.c: Loeffler, Ligtenberg and
 * Moschytz's algorithm in 13-bit fixed point), with its exact rounding and range limiting, so that
 * decoded samples equal those of libjpeg and of dcmtk's dcmdjpeg (whose default IDCT it is).
 */

const constBits = 13;
const fix0298631336 = 2446;
const fix0390180644 = 3196;
const fix0541196100 = 4433;
const fix0765366865 = 6270;
const fix0899976223 = 7373;
const fix1175875602 = 9633;
const fix1501321110 = 12299;
const fix1847759065 = 15137;
const fix1961570560 = 16069;
const fix2053119869 = 16819;
const fix2562915447 = 20995;
const fix3072711026 = 25172;

/** Right shift with rounding, as libjpeg's DESCALE. */
const descale = (x: number, n: number): number => (x + (1 << (n - 1))) >> n;

/** A reusable IDCT for one sample precision (8 or 12 bits). */
export interface Idct {
  /**
   * Dequantises and inverse-transforms one block and writes its 8×8 samples.
   * @param coefficients [64] in natural (row-major) order
   * @param quant [64] quantisation table in natural order
   * @param out samples, row-major with `stride` per row, block at `offset`
   */
  run(coefficients: Int16Array, quant: Uint16Array, out: Uint16Array, offset: number, stride: number): void;
}

export function makeIdct(precision: 8 | 12): Idct {
  const pass1Bits = precision === 8 ? 2 : 1;
  const maxSample = (1 << precision) - 1;
  const center = 1 << (precision - 1);
  const rangeMask = maxSample * 4 + 3;
  /**
   * libjpeg's range-limit table, as a function of the masked IDCT output y & RANGE_MASK: y + CENTER
   * clamped to [0, MAX] for |y| within 4 × the sample range, wrapping beyond (as libjpeg does).
   */
  const limit = (value: number): number => {
    const index = value & rangeMask;
    if (index <= maxSample - center) return index + center;
    if (index < 2 * (maxSample + 1)) return maxSample;
    if (index < rangeMask + 1 - center) return 0;
    return index - (rangeMask + 1 - center);
  };
  const workspace = new Int32Array(64);

  const run = (coefficients: Int16Array, quant: Uint16Array, out: Uint16Array, offset: number, stride: number) => {
    const k = coefficients;
    const q = quant;
    // Pass 1: columns from the input into the workspace, scaled up by 2^pass1Bits.
    for (let col = 0; col < 8; col++) {
      if (
        k[8 + col] === 0 &&
        k[16 + col] === 0 &&
        k[24 + col] === 0 &&
        k[32 + col] === 0 &&
        k[40 + col] === 0 &&
        k[48 + col] === 0 &&
        k[56 + col] === 0
      ) {
        const dc = (((k[col] as number) * (q[col] as number)) << pass1Bits) | 0;
        for (let row = 0; row < 8; row++) workspace[row * 8 + col] = dc;
        continue;
      }
      const out8 = butterfly(
        (k[col] as number) * (q[col] as number),
        (k[8 + col] as number) * (q[8 + col] as number),
        (k[16 + col] as number) * (q[16 + col] as number),
        (k[24 + col] as number) * (q[24 + col] as number),
        (k[32 + col] as number) * (q[32 + col] as number),
        (k[40 + col] as number) * (q[40 + col] as number),
        (k[48 + col] as number) * (q[48 + col] as number),
        (k[56 + col] as number) * (q[56 + col] as number),
      );
      const shift = constBits - pass1Bits;
      for (let row = 0; row < 8; row++) workspace[row * 8 + col] = descale(out8[row] as number, shift);
    }
    // Pass 2: rows from the workspace to samples, descaled by 8 and 2^pass1Bits.
    const w = workspace;
    for (let row = 0; row < 8; row++) {
      const r = row * 8;
      const target = offset + row * stride;
      if (
        w[r + 1] === 0 &&
        w[r + 2] === 0 &&
        w[r + 3] === 0 &&
        w[r + 4] === 0 &&
        w[r + 5] === 0 &&
        w[r + 6] === 0 &&
        w[r + 7] === 0
      ) {
        out.fill(limit(descale(w[r] as number, pass1Bits + 3)), target, target + 8);
        continue;
      }
      const out8 = butterfly(
        w[r] as number,
        w[r + 1] as number,
        w[r + 2] as number,
        w[r + 3] as number,
        w[r + 4] as number,
        w[r + 5] as number,
        w[r + 6] as number,
        w[r + 7] as number,
      );
      const shift = constBits + pass1Bits + 3;
      for (let col = 0; col < 8; col++) out[target + col] = limit(descale(out8[col] as number, shift));
    }
  };
  return { run };
}

const butterflyOut = new Float64Array(8);

/** One 1-D IDCT (even and odd parts) on inputs y0..y7; outputs before descaling. */
function butterfly(y0: number, y1: number, y2: number, y3: number, y4: number, y5: number, y6: number, y7: number) {
  // Even part: the rotator is sqrt(2)·c(-6).
  let z2 = y2;
  let z3 = y6;
  let z1 = (z2 + z3) * fix0541196100;
  const even2 = z1 + z3 * -fix1847759065;
  const even3 = z1 + z2 * fix0765366865;
  const even0 = (y0 + y4) * (1 << constBits);
  const even1 = (y0 - y4) * (1 << constBits);
  const tmp10 = even0 + even3;
  const tmp13 = even0 - even3;
  const tmp11 = even1 + even2;
  const tmp12 = even1 - even2;
  // Odd part (figure 8 of the paper): inputs y7, y5, y3, y1.
  let tmp0 = y7;
  let tmp1 = y5;
  let tmp2 = y3;
  let tmp3 = y1;
  z1 = tmp0 + tmp3;
  z2 = tmp1 + tmp2;
  z3 = tmp0 + tmp2;
  let z4 = tmp1 + tmp3;
  const z5 = (z3 + z4) * fix1175875602;
  tmp0 *= fix0298631336;
  tmp1 *= fix2053119869;
  tmp2 *= fix3072711026;
  tmp3 *= fix1501321110;
  z1 *= -fix0899976223;
  z2 *= -fix2562915447;
  z3 = z3 * -fix1961570560 + z5;
  z4 = z4 * -fix0390180644 + z5;
  tmp0 += z1 + z3;
  tmp1 += z2 + z4;
  tmp2 += z2 + z3;
  tmp3 += z1 + z4;
  butterflyOut[0] = tmp10 + tmp3;
  butterflyOut[7] = tmp10 - tmp3;
  butterflyOut[1] = tmp11 + tmp2;
  butterflyOut[6] = tmp11 - tmp2;
  butterflyOut[2] = tmp12 + tmp1;
  butterflyOut[5] = tmp12 - tmp1;
  butterflyOut[3] = tmp13 + tmp0;
  butterflyOut[4] = tmp13 - tmp0;
  return butterflyOut;
}
