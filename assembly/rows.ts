// Row gathers and scatter-adds along one axis (indexSelect and indexAdd; an embedding's lookup and the
// backward of its weight): x seen as [outer, size, inner], `index` int32 positions along `size`.

@inline
function copyFloats(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** out[o, j, :] = x[o, index[j], :] for 4-byte elements; out is [outer, count, inner]. */
export function gatherRows(x: usize, index: usize, outer: i32, size: i32, count: i32, inner: i32, out: usize): void {
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * size * rowBytes;
    const dst = out + <usize>o * count * rowBytes;
    for (let j = 0; j < count; j++) {
      const src = base + <usize>load<i32>(index + (<usize>j << 2)) * rowBytes;
      if (inner >= 64) memory.copy(dst + <usize>j * rowBytes, src, rowBytes);
      else copyFloats(dst + <usize>j * rowBytes, src, inner);
    }
  }
}

/** out[o, index[j], :] += src[o, j, :] for float32, in the order of j (as the reference); out is [outer, size, inner]. */
export function addRows(src: usize, index: usize, outer: i32, count: i32, size: i32, inner: i32, out: usize): void {
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const from = src + <usize>o * count * rowBytes;
    const base = out + <usize>o * size * rowBytes;
    for (let j = 0; j < count; j++) {
      const s = from + <usize>j * rowBytes;
      const d = base + <usize>load<i32>(index + (<usize>j << 2)) * rowBytes;
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const at = d + (<usize>i << 2);
        v128.store(at, f32x4.add(v128.load(at), v128.load(s + (<usize>i << 2))));
      }
      for (; i < inner; i++) {
        const at = d + (<usize>i << 2);
        store<f32>(at, load<f32>(at) + load<f32>(s + (<usize>i << 2)));
      }
    }
  }
}
