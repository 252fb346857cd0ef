// im2col / col2im and max pooling over float32 NCHW planes: ports of the reference kernels
// (src/backend/js/conv.ts, pool.ts) with the same visiting order, so results are bit-identical.

/**
 * x [n, c, h, w] -> cols [n, c*kh*kw, oh*ow] when toCols, else cols are added back onto image
 * (which the caller zeroed): every (column entry, image position) pair is visited once.
 */
export function im2colWalk(
  image: usize, cols: usize, n: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32, toCols: bool,
): void {
  let o: usize = cols;
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < c; ci++) {
      const plane = image + ((<usize>(b * c + ci) * h * w) << 2);
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const colOffset = kj * dw - pw;
          // output columns whose input column lies inside [0, w)
          let xStart = 0;
          while (xStart < ow && xStart * sw + colOffset < 0) xStart++;
          let xEnd = ow;
          while (xEnd > xStart && (xEnd - 1) * sw + colOffset >= w) xEnd--;
          for (let y = 0; y < oh; y++) {
            const iy = y * sh - ph + ki * dh;
            if (iy < 0 || iy >= h) {
              if (toCols) memory.fill(o, 0, <usize>ow << 2);
              o += <usize>ow << 2;
              continue;
            }
            const row = plane + ((<usize>iy * w) << 2);
            if (toCols) {
              if (xStart > 0) memory.fill(o, 0, <usize>xStart << 2);
              if (sw === 1) {
                memory.copy(o + (<usize>xStart << 2), row + (<usize>(xStart + colOffset) << 2), <usize>(xEnd - xStart) << 2);
              } else {
                for (let xo = xStart; xo < xEnd; xo++) store<f32>(o + (<usize>xo << 2), load<f32>(row + (<usize>(xo * sw + colOffset) << 2)));
              }
              if (xEnd < ow) memory.fill(o + (<usize>xEnd << 2), 0, <usize>(ow - xEnd) << 2);
            } else {
              for (let xo = xStart; xo < xEnd; xo++) {
                const at = row + (<usize>(xo * sw + colOffset) << 2);
                store<f32>(at, load<f32>(at) + load<f32>(o + (<usize>xo << 2)));
              }
            }
            o += <usize>ow << 2;
          }
        }
      }
    }
  }
}

/**
 * Max pooling over `planes` planes of h x w into values and the in-plane flat index of each maximum:
 * padding skipped, a later element wins only if greater or NaN, an all -inf window points at its
 * first position inside the input (PyTorch's CPU rules, as the reference).
 */
export function maxPool2d(
  x: usize, planes: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  values: usize, indices: usize,
): void {
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      let y0 = oy * sh - ph;
      const y1 = min(y0 + (kh - 1) * dh + 1, h);
      while (y0 < 0) y0 += dh;
      for (let ox = 0; ox < ow; ox++, o++) {
        let x0 = ox * sw - pw;
        const x1 = min(x0 + (kw - 1) * dw + 1, w);
        while (x0 < 0) x0 += dw;
        let best: f32 = -Infinity;
        let at = y0 * w + x0;
        for (let y = y0; y < y1; y += dh) {
          for (let xi = x0; xi < x1; xi += dw) {
            const v = load<f32>(base + ((<usize>(y * w + xi)) << 2));
            if (v > best || v != v) {
              best = v;
              at = y * w + xi;
            }
          }
        }
        store<f32>(values + (o << 2), best);
        store<i32>(indices + (o << 2), at);
      }
    }
  }
}
