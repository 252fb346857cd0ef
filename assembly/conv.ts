// im2col / col2im and max pooling over float32 NCHW planes: ports of the reference kernels
// (src/backend/js/conv.ts, pool.ts) with the same visiting order, so results are bit-identical.

// Rows here are short (an output row of a feature map): memory.copy / memory.fill call out of the
// generated code, which costs more than copying a few vectors inline.
@inline
function copyFloats(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

@inline
function zeroFloats(dst: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/**
 * x [n, c, h, w] -> cols [n, c*kh*kw, oh*ow] when toCols, else cols are added back onto image
 * (which the caller zeroed): every (column entry, image position) pair is visited once. Rows of cols
 * start `pitch` floats apart (oh*ow when dense; more to align them, the gap left untouched).
 */
export function im2colWalk(
  image: usize, cols: usize, n: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32, toCols: bool,
  pitch: i32,
): void {
  const gap = <usize>(pitch - oh * ow) << 2;
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
              if (toCols) zeroFloats(o, ow);
              o += <usize>ow << 2;
              continue;
            }
            const row = plane + ((<usize>iy * w) << 2);
            if (toCols) {
              if (xStart > 0) zeroFloats(o, xStart);
              if (sw === 1) {
                copyFloats(o + (<usize>xStart << 2), row + (<usize>(xStart + colOffset) << 2), xEnd - xStart);
              } else {
                for (let xo = xStart; xo < xEnd; xo++) store<f32>(o + (<usize>xo << 2), load<f32>(row + (<usize>(xo * sw + colOffset) << 2)));
              }
              if (xEnd < ow) zeroFloats(o + (<usize>xEnd << 2), ow - xEnd);
            } else if (sw === 1) {
              const dst = row + (<usize>(xStart + colOffset) << 2);
              const src = o + (<usize>xStart << 2);
              const count = xEnd - xStart;
              let i = 0;
              for (; i + 4 <= count; i += 4) {
                const at = dst + (<usize>i << 2);
                v128.store(at, f32x4.add(v128.load(at), v128.load(src + (<usize>i << 2))));
              }
              for (; i < count; i++) {
                const at = dst + (<usize>i << 2);
                store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>i << 2)));
              }
            } else {
              for (let xo = xStart; xo < xEnd; xo++) {
                const at = row + (<usize>(xo * sw + colOffset) << 2);
                store<f32>(at, load<f32>(at) + load<f32>(o + (<usize>xo << 2)));
              }
            }
            o += <usize>ow << 2;
          }
          o += gap;
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
  // (the fast path reads whole 2x2 windows: not for ceil mode's last window past an odd edge)
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && ph === 0 && pw === 0 && dh === 1 && dw === 1 && 2 * oh <= h && 2 * ow <= w) {
    maxPool2x2(x, planes, h, w, oh, ow, values, indices);
    return;
  }
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
            // branch-free: on random data the comparison is a coin flip the predictor cannot learn
            const take = v > best || v != v;
            best = select<f32>(v, best, take);
            at = select<i32>(y * w + xi, at, take);
          }
        }
        store<f32>(values + (o << 2), best);
        store<i32>(indices + (o << 2), at);
      }
    }
  }
}

// MaxPool2d(2): four output columns at a time. Each window is visited in the reference's order
// (top-left, top-right, bottom-left, bottom-right) with its rule: a later value wins if greater or NaN.
function maxPool2x2(x: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, values: usize, indices: usize): void {
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const top = base + ((<usize>(2 * oy) * w) << 2);
      const bottom = top + (<usize>w << 2);
      const rowIndex = 2 * oy * w;
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4) {
        const t0 = v128.load(top + (<usize>(2 * ox) << 2));
        const t1 = v128.load(top + (<usize>(2 * ox) << 2), 16);
        const b0 = v128.load(bottom + (<usize>(2 * ox) << 2));
        const b1 = v128.load(bottom + (<usize>(2 * ox) << 2), 16);
        const tl = i32x4.shuffle(t0, t1, 0, 2, 4, 6);
        const tr = i32x4.shuffle(t0, t1, 1, 3, 5, 7);
        const bl = i32x4.shuffle(b0, b1, 0, 2, 4, 6);
        const br = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
        const first = i32x4.add(i32x4.splat(rowIndex + 2 * ox), i32x4(0, 2, 4, 6));
        let best = tl;
        let at = first;
        let take = v128.or(f32x4.gt(tr, best), f32x4.ne(tr, tr));
        best = v128.bitselect(tr, best, take);
        at = v128.bitselect(i32x4.add(first, i32x4.splat(1)), at, take);
        take = v128.or(f32x4.gt(bl, best), f32x4.ne(bl, bl));
        best = v128.bitselect(bl, best, take);
        at = v128.bitselect(i32x4.add(first, i32x4.splat(w)), at, take);
        take = v128.or(f32x4.gt(br, best), f32x4.ne(br, br));
        best = v128.bitselect(br, best, take);
        at = v128.bitselect(i32x4.add(first, i32x4.splat(w + 1)), at, take);
        v128.store(values + (o << 2), best);
        v128.store(indices + (o << 2), at);
        o += 4;
      }
      for (; ox < ow; ox++, o++) {
        const at0 = rowIndex + 2 * ox;
        let best = load<f32>(top + (<usize>(2 * ox) << 2));
        let at = at0;
        for (let q = 1; q < 4; q++) {
          const pos = at0 + (q & 1) + (q >> 1) * w;
          const v = load<f32>(base + (<usize>pos << 2));
          const take = v > best || v != v;
          best = select<f32>(v, best, take);
          at = select<i32>(pos, at, take);
        }
        store<f32>(values + (o << 2), best);
        store<i32>(indices + (o << 2), at);
      }
    }
  }
}
