import type { TypedArray } from '../../tensor/dtype.js';
import type { ConvGeometry } from '../backend.js';

/**
 * Max pooling over `planes` planes of h x w: values and the flat index (y * w + x) of each window's
 * maximum within its plane, with PyTorch's CPU rules: positions in the padding are skipped, a later
 * element wins only if greater (or NaN, so NaN propagates), and an all -inf window points at its first
 * position inside the input.
 */
export function maxPool2d(x: TypedArray, planes: number, h: number, w: number, g: ConvGeometry, values: TypedArray, indices: Int32Array): void {
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.stride;
  const [ph, pw] = g.padding;
  const [dh, dw] = g.dilation;
  const [oh, ow] = g.outSize;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      let y0 = oy * sh - ph;
      const y1 = Math.min(y0 + (kh - 1) * dh + 1, h);
      while (y0 < 0) y0 += dh;
      for (let ox = 0; ox < ow; ox++, o++) {
        let x0 = ox * sw - pw;
        const x1 = Math.min(x0 + (kw - 1) * dw + 1, w);
        while (x0 < 0) x0 += dw;
        let best = -Infinity;
        let at = y0 * w + x0;
        for (let y = y0; y < y1; y += dh) {
          for (let xi = x0; xi < x1; xi += dw) {
            const v = x[base + y * w + xi];
            if (v > best || v !== v) {
              best = v;
              at = y * w + xi;
            }
          }
        }
        values[o] = best;
        indices[o] = at;
      }
    }
  }
}

/**
 * The backward of maxPool2d: out [planes, h*w] is zeroed, then each output gradient is added at its
 * window's arg max (indices from maxPool2d), in output order.
 */
export function maxPool2dBackward(grad: TypedArray, indices: Int32Array, planes: number, h: number, w: number, out: TypedArray): void {
  out.fill(0);
  const count = grad.length / planes;
  const size = h * w;
  for (let p = 0, o = 0; p < planes; p++) {
    const base = p * size;
    for (const end = o + count; o < end; o++) out[base + indices[o]] += grad[o];
  }
}
