// Data movement: batched transposes of 4-byte elements (float32 or int32, bit for bit).

// Tiles of 32 x 32 keep the rows read and the rows written in L1; inside a tile, 4 x 4 blocks are
// transposed in registers with lane shuffles.
const TILE: i32 = 32;

@inline
function transpose4x4(src: usize, srcRow: usize, dst: usize, dstRow: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + srcRow);
  const r2 = v128.load(src + 2 * srcRow);
  const r3 = v128.load(src + 3 * srcRow);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + dstRow, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * dstRow, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstRow, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** out[b, j, i] = x[b, i, j] for x of shape [batch, rows, cols]. */
export function transpose(x: usize, out: usize, batch: i32, rows: i32, cols: i32): void {
  const srcRow = <usize>cols << 2;
  const dstRow = <usize>rows << 2;
  for (let b = 0; b < batch; b++) {
    const xb = x + ((<usize>b * rows * cols) << 2);
    const ob = out + ((<usize>b * rows * cols) << 2);
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = min(rows, i0 + TILE);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = min(cols, j0 + TILE);
        let i = i0;
        for (; i + 4 <= i1; i += 4) {
          let j = j0;
          for (; j + 4 <= j1; j += 4) {
            transpose4x4(xb + <usize>i * srcRow + (<usize>j << 2), srcRow, ob + <usize>j * dstRow + (<usize>i << 2), dstRow);
          }
          for (; j < j1; j++) {
            for (let q = i; q < i + 4; q++) store<u32>(ob + <usize>j * dstRow + (<usize>q << 2), load<u32>(xb + <usize>q * srcRow + (<usize>j << 2)));
          }
        }
        for (; i < i1; i++) {
          for (let j = j0; j < j1; j++) store<u32>(ob + <usize>j * dstRow + (<usize>i << 2), load<u32>(xb + <usize>i * srcRow + (<usize>j << 2)));
        }
      }
    }
  }
}
