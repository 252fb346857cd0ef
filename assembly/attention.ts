// Scaled dot-product attention per (batch, head), forward and backward, on strided operands: element
// (b, h, r, j) of q is at q + (qOff + b*qB + h*qH + r*qR + j) floats, so heads are read from and written to
// the [N, L, H*E] (or [L, N, H*E]) layouts of the projections without permuting anything. Per head:
// scores = (q / sqrtE) kᵀ, a mask (added, or bool), softmax into `weights` [B, H, L, S], dropout scale
// factors (optional) and the product with v; the scores never leave the thread's scratch.
//
// Threads take heads from a shared counter; a head's gradients touch only its own rows of dq, dk, dv,
// so results do not depend on the thread count.
import { expNormal } from './activations';
import { claim } from './gemm';
import { packedFloats, panelFloats, product } from './small-gemm';
import { MASK_add as MASK_ADD, MASK_forbid as MASK_FORBID } from './codes';

// Query rows per block of a causal attention's products (fewer keys for the earlier blocks).
const CAUSAL_ROWS = 16;

const OP_ADD = 0;
const OP_MUL = 1;

// out[j] = a[j] + b[j] (or a[j] * b[j]) for j < n.
function floats2(a: usize, b: usize, out: usize, n: i32, op: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const x = v128.load(a + o);
    const y = v128.load(b + o);
    v128.store(out + o, op === OP_ADD ? f32x4.add(x, y) : f32x4.mul(x, y));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(out + o, op === OP_ADD ? load<f32>(a + o) + load<f32>(b + o) : load<f32>(a + o) * load<f32>(b + o));
  }
}

/** Floats of per-thread scratch for attentionForward and attentionBackward. */
export function attentionScratchFloats(L: i32, S: i32, E: i32, Ev: i32): i32 {
  return L * E + 2 * L * S + packedB(L, S, E, Ev) + panelFloats();
}

// Floats of the packed B operands of every product of a head: forward kᵀ and v; backward vᵀ, k, q and dO.
function packedB(L: i32, S: i32, E: i32, Ev: i32): i32 {
  return max(max(max(packedFloats(E, S), packedFloats(S, Ev)), max(packedFloats(Ev, S), packedFloats(S, E))), max(packedFloats(L, E), packedFloats(L, Ev)));
}

/**
 * Softmax of row i of the scores in place after the mask and the causal rule (keys from causalLimit on are
 * left out), its sum in float64 as the reference kernel's; a row whose keys are all left out comes out NaN
 * (0 / 0), as in PyTorch.
 */
function softmaxRow(row: usize, S: i32, mask: usize, maskMode: i32, causalLimit: i32): void {
  const minusInf = f32x4.splat(-Infinity);
  let j = 0;
  if (maskMode === MASK_ADD) {
    for (; j + 4 <= S; j += 4) {
      const at = row + (<usize>j << 2);
      v128.store(at, f32x4.add(v128.load(at), v128.load(mask + (<usize>j << 2))));
    }
    for (; j < S; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) + load<f32>(mask + (<usize>j << 2)));
  } else if (maskMode !== 0) {
    // bool bytes widened to lanes; a lane is left out where (byte != 0) equals `forbids`
    const forbids = maskMode === MASK_FORBID;
    for (; j + 4 <= S; j += 4) {
      const at = row + (<usize>j << 2);
      const set = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mask + <usize>j))), i32x4.splat(0));
      v128.store(at, v128.bitselect(minusInf, v128.load(at), forbids ? set : v128.not(set)));
    }
    for (; j < S; j++) {
      if ((load<u8>(mask + <usize>j) !== 0) === forbids) store<f32>(row + (<usize>j << 2), -Infinity);
    }
  }
  for (j = causalLimit; j < S; j++) store<f32>(row + (<usize>j << 2), -Infinity);
  let mv = minusInf;
  j = 0;
  for (; j + 4 <= S; j += 4) mv = f32x4.max(mv, v128.load(row + (<usize>j << 2)));
  let rowMax = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; j < S; j++) rowMax = max(rowMax, load<f32>(row + (<usize>j << 2)));
  if (rowMax === -Infinity) rowMax = 0;
  const shift = f32x4.splat(rowMax);
  // below -87 the exponential is a subnormal (or 0, for masked keys): 0 (expNormal clamps there)
  const floor = f32x4.splat(-87.0);
  let acc = f64x2.splat(0);
  j = 0;
  for (; j + 4 <= S; j += 4) {
    const at = row + (<usize>j << 2);
    const x = f32x4.sub(v128.load(at), shift);
    const below = f32x4.lt(x, floor);
    if (i32x4.all_true(below)) {
      v128.store(at, f32x4.splat(0)); // 4 keys left out (the upper half of a causal mask): no exp
      continue;
    }
    const e = v128.andnot(expNormal(x), below);
    v128.store(at, e);
    acc = f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1))));
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; j < S; j++) {
    const at = row + (<usize>j << 2);
    const x = load<f32>(at) - rowMax;
    const e: f32 = x < -87 ? 0 : <f32>Math.exp(<f64>x);
    store<f32>(at, e);
    sum += <f64>e;
  }
  const total = f32x4.splat(<f32>sum);
  j = 0;
  for (; j + 4 <= S; j += 4) {
    const at = row + (<usize>j << 2);
    v128.store(at, f32x4.div(v128.load(at), total));
  }
  for (; j < S; j++) {
    const at = row + (<usize>j << 2);
    store<f32>(at, load<f32>(at) / <f32>sum);
  }
}

/**
 * out (b, h) = dropout(softmax((q / sqrtE) kᵀ + mask)) v for the heads the calling thread claims; weights
 * [B, H, L, S] receives the softmax before dropout. mask (maskMode 0: none) is read at b*mB + h*mH + i*mR + j
 * (float for MASK_ADD, bytes for the bool modes); dropout (0: none) holds [B, H, L, S] scale factors.
 */
export function attentionForward(
  q: usize, k: usize, v: usize, mask: usize, dropout: usize, out: usize, weights: usize,
  B: i32, Hn: i32, L: i32, S: i32, E: i32, Ev: i32,
  qOff: i32, qB: i32, qH: i32, qR: i32, kOff: i32, kB: i32, kH: i32, kR: i32,
  vOff: i32, vB: i32, vH: i32, vR: i32, oOff: i32, oB: i32, oH: i32, oR: i32,
  mB: i32, mH: i32, mR: i32, maskMode: i32, causal: bool, sqrtE: f32, counter: usize, scratch: usize,
): void {
  // scratch: q / sqrtE [L, E], unused [L, S], the weights after dropout [L, S], packed B, panels
  const qs = scratch;
  const pd = qs + ((<usize>L * E + <usize>L * S) << 2);
  const packed = pd + ((<usize>L * S) << 2);
  const panels = packed + (<usize>packedB(L, S, E, Ev) << 2);
  const units = B * Hn;
  for (let u = claim(counter); u < units; u = claim(counter)) {
    const b = u / Hn;
    const h = u - b * Hn;
    const qb = q + (<usize>(qOff + b * qB + h * qH) << 2);
    const kb = k + (<usize>(kOff + b * kB + h * kH) << 2);
    const vb = v + (<usize>(vOff + b * vB + h * vH) << 2);
    const ob = out + (<usize>(oOff + b * oB + h * oH) << 2);
    const wb = weights + ((<usize>u * L * S) << 2);
    // q / sqrtE, dense, as PyTorch divides q before the product
    const div = f32x4.splat(sqrtE);
    for (let i = 0; i < L; i++) {
      const src = qb + ((<usize>i * qR) << 2);
      const dst = qs + ((<usize>i * E) << 2);
      let j = 0;
      for (; j + 4 <= E; j += 4) v128.store(dst + (<usize>j << 2), f32x4.div(v128.load(src + (<usize>j << 2)), div));
      for (; j < E; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)) / sqrtE);
    }
    // causal: blocks of query rows need only the keys up to their last row (the rest stay -inf, then 0)
    const rb = causal ? CAUSAL_ROWS : L;
    for (let i0 = 0; i0 < L; i0 += rb) {
      const rows = min(rb, L - i0);
      const keys = causal ? min(i0 + rows, S) : S;
      product(qs + ((<usize>i0 * E) << 2), E, 1, kb, 1, kR, wb + ((<usize>i0 * S) << 2), S, rows, E, keys, false, packed, panels);
    }
    for (let i = 0; i < L; i++) {
      const maskRow = mask + (<usize>(b * mB + h * mH + i * mR) << (maskMode === MASK_ADD ? 2 : 0));
      softmaxRow(wb + ((<usize>i * S) << 2), S, maskRow, maskMode, causal ? min(i + 1, S) : S);
    }
    let p = wb;
    if (dropout !== 0) {
      floats2(wb, dropout + ((<usize>u * L * S) << 2), pd, L * S, OP_MUL);
      p = pd;
    }
    for (let i0 = 0; i0 < L; i0 += rb) {
      const rows = min(rb, L - i0);
      const keys = causal ? min(i0 + rows, S) : S;
      product(p + ((<usize>i0 * S) << 2), S, 1, vb, vR, 1, ob + ((<usize>i0 * oR) << 2), oR, rows, keys, Ev, false, packed, panels);
    }
  }
}

/**
 * The gradients of attentionForward, added into dq, dk, dv (at q's, k's and v's strides; they may be one
 * buffer), from gradOut (at out's strides; 0: none) and gradWeights ([B, H, L, S], of the weights after
 * dropout; 0: none). dv is only touched when gradOut is given.
 */
export function attentionBackward(
  q: usize, k: usize, v: usize, weights: usize, dropout: usize, gradOut: usize, gradWeights: usize,
  dq: usize, dk: usize, dv: usize,
  B: i32, Hn: i32, L: i32, S: i32, E: i32, Ev: i32,
  qOff: i32, qB: i32, qH: i32, qR: i32, kOff: i32, kB: i32, kH: i32, kR: i32,
  vOff: i32, vB: i32, vH: i32, vR: i32, oOff: i32, oB: i32, oH: i32, oR: i32,
  causal: bool, sqrtE: f32, counter: usize, scratch: usize,
): void {
  const rb = causal ? CAUSAL_ROWS : L;
  // scratch as attentionForward's: unused [L, E], dS [L, S], the weights after dropout [L, S], packed B, panels
  const ds = scratch + ((<usize>L * E) << 2);
  const pd = ds + ((<usize>L * S) << 2);
  const packed = pd + ((<usize>L * S) << 2);
  const panels = packed + (<usize>packedB(L, S, E, Ev) << 2);
  const units = B * Hn;
  const n = L * S;
  for (let u = claim(counter); u < units; u = claim(counter)) {
    const b = u / Hn;
    const h = u - b * Hn;
    const qoff = <usize>(qOff + b * qB + h * qH) << 2;
    const koff = <usize>(kOff + b * kB + h * kH) << 2;
    const voff = <usize>(vOff + b * vB + h * vH) << 2;
    const go = gradOut + (<usize>(oOff + b * oB + h * oH) << 2);
    const wb = weights + ((<usize>u * n) << 2);
    const db = dropout + ((<usize>u * n) << 2);
    // dPd = dO vᵀ (+ the weights' own gradient); causal: zero for the keys after each block
    if (gradOut === 0 || causal) memory.fill(ds, 0, <usize>n << 2);
    if (gradOut !== 0) {
      for (let i0 = 0; i0 < L; i0 += rb) {
        const rows = min(rb, L - i0);
        const keys = causal ? min(i0 + rows, S) : S;
        product(go + ((<usize>i0 * oR) << 2), oR, 1, v + voff, 1, vR, ds + ((<usize>i0 * S) << 2), S, rows, Ev, keys, false, packed, panels);
      }
    }
    if (gradWeights !== 0) floats2(ds, gradWeights + ((<usize>u * n) << 2), ds, n, OP_ADD);
    // the weights after dropout (for dv), and the gradient of the weights before it
    let p = wb;
    if (dropout !== 0) {
      floats2(wb, db, pd, n, OP_MUL);
      floats2(ds, db, ds, n, OP_MUL);
      p = pd;
    }
    // dS = P (dP - rowsum(dP P)) / sqrtE
    const div = f32x4.splat(sqrtE);
    for (let i = 0; i < L; i++) {
      const pr = wb + ((<usize>i * S) << 2);
      const dr = ds + ((<usize>i * S) << 2);
      let acc = f64x2.splat(0);
      let j = 0;
      for (; j + 4 <= S; j += 4) {
        const prod = f32x4.mul(v128.load(dr + (<usize>j << 2)), v128.load(pr + (<usize>j << 2)));
        acc = f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(prod), f64x2.promote_low_f32x4(i32x4.shuffle(prod, prod, 2, 3, 0, 1))));
      }
      let dot = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      for (; j < S; j++) dot += <f64>(load<f32>(dr + (<usize>j << 2)) * load<f32>(pr + (<usize>j << 2)));
      const d = <f32>dot;
      const dv4 = f32x4.splat(d);
      j = 0;
      for (; j + 4 <= S; j += 4) {
        const at = dr + (<usize>j << 2);
        v128.store(at, f32x4.div(f32x4.mul(v128.load(pr + (<usize>j << 2)), f32x4.sub(v128.load(at), dv4)), div));
      }
      for (; j < S; j++) {
        const at = dr + (<usize>j << 2);
        store<f32>(at, load<f32>(pr + (<usize>j << 2)) * (load<f32>(at) - d) / sqrtE);
      }
    }
    // dq = dS k; dk = dSᵀ q and dv = Pᵀ dO summed over the blocks of query rows
    for (let i0 = 0; i0 < L; i0 += rb) {
      const rows = min(rb, L - i0);
      const keys = causal ? min(i0 + rows, S) : S;
      const dsBlock = ds + ((<usize>i0 * S) << 2);
      product(dsBlock, S, 1, k + koff, kR, 1, dq + qoff + ((<usize>i0 * qR) << 2), qR, rows, keys, E, true, packed, panels);
      product(dsBlock, 1, S, q + qoff + ((<usize>i0 * qR) << 2), qR, 1, dk + koff, kR, keys, rows, E, true, packed, panels);
      if (gradOut !== 0) product(p + ((<usize>i0 * S) << 2), 1, S, go + ((<usize>i0 * oR) << 2), oR, 1, dv + voff, vR, keys, rows, Ev, true, packed, panels);
    }
  }
}
