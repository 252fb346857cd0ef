import type { TypedArray } from '../../tensor/dtype.js';
import type { ConvGeometry } from '../backend.js';
import { matmul } from './matmul.js';

/**
 * Unfolds x [n, c, h, w] into columns [n, c*kh*kw, oh*ow]: row (ci, ki, kj) holds, for every output
 * position, the input element under kernel tap (ki, kj); taps that fall in the padding read 0.
 */
export function im2col(x: TypedArray, n: number, c: number, h: number, w: number, g: ConvGeometry, out: TypedArray): void {
  walk(x, out, n, c, h, w, g, true);
}

/** The adjoint of im2col: adds every column entry back onto its input position in out [n, c, h, w] (zeroed first). */
export function col2im(cols: TypedArray, n: number, c: number, h: number, w: number, g: ConvGeometry, out: TypedArray): void {
  out.fill(0);
  walk(out, cols, n, c, h, w, g, false);
}

// Visits every (column entry, image position) pair once: copies image -> columns, or adds columns -> image.
function walk(image: TypedArray, cols: TypedArray, n: number, c: number, h: number, w: number, g: ConvGeometry, toCols: boolean): void {
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.stride;
  const [ph, pw] = g.padding;
  const [dh, dw] = g.dilation;
  const [oh, ow] = g.outSize;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < c; ci++) {
      const plane = (b * c + ci) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let y = 0; y < oh; y++) {
            const iy = y * sh - ph + ki * dh;
            if (iy < 0 || iy >= h) {
              if (toCols) cols.fill(0, o, o + ow);
              o += ow;
              continue;
            }
            const row = plane + iy * w;
            for (let xo = 0; xo < ow; xo++, o++) {
              const ix = xo * sw - pw + kj * dw;
              const inside = ix >= 0 && ix < w;
              if (toCols) cols[o] = inside ? image[row + ix] : 0;
              else if (inside) image[row + ix] += cols[o];
            }
          }
        }
      }
    }
  }
}

function sameKind(like: TypedArray, size: number): TypedArray {
  return new (like.constructor as new (size: number) => TypedArray)(size);
}

/**
 * Convolution with groups 1: y [n, cout, oh, ow] = weight [cout, c*kh*kw] @ im2col(x) (+ bias [cout]),
 * each output summed in float64 and rounded once.
 */
export function conv2d(
  x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number,
  bias: TypedArray | null, g: ConvGeometry, out: TypedArray,
): void {
  const k = c * g.kernel[0] * g.kernel[1];
  const l = g.outSize[0] * g.outSize[1];
  const cols = sameKind(x, n * k * l);
  im2col(x, n, c, h, w, g, cols);
  matmul(weight, cols, out, n, cout, k, l, false, false, 0, k * l);
  if (!bias) return;
  for (let b = 0; b < n; b++) {
    for (let co = 0; co < cout; co++) {
      const start = (b * cout + co) * l;
      for (let i = start; i < start + l; i++) out[i] += bias[co];
    }
  }
}

/**
 * The backward of conv2d; null skips a gradient. gradInput [n, c, h, w] = col2im(weightᵀ @ gradOut),
 * gradWeight [cout, c*kh*kw] = Σ_b gradOut[b] @ im2col(x)[b]ᵀ, gradBias [cout] = gradOut summed over
 * samples and positions (sums in float64).
 */
export function conv2dBackward(
  x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number,
  g: ConvGeometry, gradOut: TypedArray, gradInput: TypedArray | null, gradWeight: TypedArray | null, gradBias: TypedArray | null,
): void {
  const k = c * g.kernel[0] * g.kernel[1];
  const l = g.outSize[0] * g.outSize[1];
  if (gradWeight) {
    const cols = sameKind(x, n * k * l);
    im2col(x, n, c, h, w, g, cols);
    for (let co = 0; co < cout; co++) {
      for (let kk = 0; kk < k; kk++) {
        let s = 0;
        for (let b = 0; b < n; b++) {
          const gRow = (b * cout + co) * l;
          const cRow = (b * k + kk) * l;
          for (let i = 0; i < l; i++) s += gradOut[gRow + i] * cols[cRow + i];
        }
        gradWeight[co * k + kk] = s;
      }
    }
  }
  if (gradBias) {
    for (let co = 0; co < cout; co++) {
      let s = 0;
      for (let b = 0; b < n; b++) {
        const row = (b * cout + co) * l;
        for (let i = row; i < row + l; i++) s += gradOut[i];
      }
      gradBias[co] = s;
    }
  }
  if (gradInput) {
    const cols = sameKind(gradOut, n * k * l);
    matmul(weight, gradOut, cols, n, k, cout, l, true, false, 0, cout * l);
    col2im(cols, n, c, h, w, g, gradInput);
  }
}
