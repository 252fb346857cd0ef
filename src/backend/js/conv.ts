import type { TypedArray } from '../../tensor/dtype.js';
import type { ConvGeometry } from '../backend.js';

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
