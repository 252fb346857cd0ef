// Recurrent layers over a whole sequence in one call (one layer, one direction): LSTM, GRU and Elman RNN,
// forward and backward through time. The input projection x W_ihᵀ + b for every step is one GEMM done
// before (the xg operand); here, per step, one product of the running h with W_hh (packed once for the
// whole sequence) and a fused pointwise cell, so nothing returns to JavaScript between steps.
//
// Rows. Step t holds sizes[t] sequences (packed sequences shrink over time; padded ones do not); sequence
// n of step t is row offsets[t] + n * batchStride of xg, the output and the saved tensors (batchStride 1
// for time-major and packed layouts, T for batch-first). `steps` holds sizes[0..T) then offsets[0..T)
// as int32. The running states are [N, features] buffers whose first sizes[t] rows take part in step t:
// rows past them keep their values, which is how a sequence that ended keeps its last state going
// forward, and how one that starts late (the reverse direction of a packed batch) starts from h0.
// Backward walks the steps in the opposite order with the same rule, so the gradients of h0 and c0 are
// what the state buffers hold at the end.
//
// Arithmetic follows PyTorch's cells: c' = f*c + i*g, h' = o*tanh(c'); GRU n = tanh(x_n + r*(h W_hn + b_hn)),
// h' = (h - n)*z + n.
import { vsigmoid, vtanh } from './vmath';
import { packWhole, packedFloats, panelFloats, productPacked } from './small-gemm';

// Loads and stores of 4 floats, or of the `count` < 4 left at the end of a row (zeros past them).
@inline
function load4(at: usize, count: i32): v128 {
  if (count >= 4) return v128.load(at);
  let v = f32x4.splat(0);
  if (count > 0) v = f32x4.replace_lane(v, 0, load<f32>(at));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(at, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(at, 8));
  return v;
}

@inline
function store4(at: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(at, v);
    return;
  }
  if (count > 0) store<f32>(at, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(at, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(at, f32x4.extract_lane(v, 2), 8);
}

@inline
function rowAt(base: usize, row: i32, width: i32): usize {
  return base + ((<usize>row * width) << 2);
}

@inline
function stepSize(steps: usize, t: i32): i32 {
  return load<i32>(steps + (<usize>t << 2));
}

@inline
function stepOffset(steps: usize, T: i32, t: i32): i32 {
  return load<i32>(steps + (<usize>(T + t) << 2));
}

// Copies rows [0, n) of a dense [*, width] buffer from (or into) the strided rows of step t.
function copyRows(src: usize, srcStride: i32, dst: usize, dstStride: i32, n: i32, width: i32): void {
  for (let r = 0; r < n; r++) memory.copy(rowAt(dst, r * dstStride, width), rowAt(src, r * srcStride, width), <usize>width << 2);
}

/** The state at the start: `init` (n x width), or zeros when it is 0. */
function startState(init: usize, state: usize, n: i32, width: i32): void {
  if (init !== 0) memory.copy(state, init, (<usize>n * width) << 2);
  else memory.fill(state, 0, (<usize>n * width) << 2);
}

// act[j] = sigmoid (or tanh) of x[j] + g[j] for j < count. One activation per loop keeps few vectors live:
// the LSTM cell written as one loop over all four gates spilled registers and ran four times slower.
@inline
function activate(x: usize, g: usize, act: usize, count: i32, useTanh: bool): void {
  for (let j = 0; j < count; j += 4) {
    const o4 = <usize>j << 2;
    const pre = f32x4.add(load4(x + o4, count - j), load4(g + o4, count - j));
    store4(act + o4, useTanh ? vtanh(pre) : vsigmoid(pre), count - j);
  }
}

// ---- LSTM ----

/** Floats of scratch for lstmForward and lstmBackward. */
export function lstmScratchFloats(n: i32, h: i32, p: i32, projected: bool): i32 {
  const forward = packedFloats(p, 4 * h) + (projected ? packedFloats(h, p) : 0) + n * (4 * h + p + h);
  const backward = packedFloats(4 * h, p) + (projected ? packedFloats(p, h) : 0) + n * h;
  return max(forward, backward) + panelFloats();
}

/**
 * One LSTM layer in one direction. xg [rows, 4H] = x W_ihᵀ + b_ih + b_hh; h0 [N, P] and c0 [N, H] (0: zeros);
 * wHh [4H, P]; wHr [P, H] projects h to P features (0: none, P = H). Writes out [rows, P] and cN [N, H]; when
 * `gates` is not 0 also what backward needs: gates [rows, 4H] (i, f, g, o after their activations),
 * cells [rows, 2H] (tanh(c'), then c), hPrev [rows, P] (the h each step read) and, projecting, hRaw [rows, H].
 */
export function lstmForward(
  xg: usize, h0: usize, c0: usize, wHh: usize, wHr: usize, out: usize, cN: usize,
  gates: usize, cells: usize, hPrev: usize, hRaw: usize,
  steps: usize, T: i32, N: i32, H: i32, P: i32, batchStride: i32, reverse: bool, scratch: usize,
): void {
  const G = 4 * H;
  const whh = scratch;
  const whr = whh + (<usize>packedFloats(P, G) << 2);
  const panels = whr + (wHr !== 0 ? <usize>packedFloats(H, P) << 2 : 0);
  const gbuf = panels + (<usize>panelFloats() << 2);
  const hState = gbuf + ((<usize>N * G) << 2);
  const rawBuf = hState + ((<usize>N * P) << 2);
  packWhole(wHh, 1, P, P, G, whh); // B = W_hhᵀ: B(p, j) = W_hh[j, p]
  if (wHr !== 0) packWhole(wHr, 1, H, H, P, whr);
  startState(h0, hState, N, P);
  startState(c0, cN, N, H);
  const train = gates !== 0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const n = stepSize(steps, t);
    if (n === 0) continue;
    const first = stepOffset(steps, T, t);
    productPacked(hState, P, 1, whh, gbuf, G, n, P, G, false, panels);
    if (train) copyRows(hState, 1, rowAt(hPrev, first, P), batchStride, n, P);
    for (let r = 0; r < n; r++) {
      const row = first + r * batchStride;
      const x = rowAt(xg, row, G);
      const g = rowAt(gbuf, r, G);
      // the activated gates (into the saved ones when training), then c and h from them
      const act = train ? rowAt(gates, row, G) : g;
      const hb = <usize>H << 2;
      activate(x, g, act, 2 * H, false); // i, f
      activate(x + 2 * hb, g + 2 * hb, act + 2 * hb, H, true); // g
      activate(x + 3 * hb, g + 3 * hb, act + 3 * hb, H, false); // o
      const c = rowAt(cN, r, H);
      const hOut = wHr !== 0 ? (train ? rowAt(hRaw, row, H) : rowAt(rawBuf, r, H)) : rowAt(out, row, P);
      const cs = train ? rowAt(cells, row, 2 * H) : 0;
      for (let j = 0; j < H; j += 4) {
        const count = H - j;
        const o4 = <usize>j << 2;
        const cp = load4(c + o4, count);
        const cv = f32x4.add(f32x4.mul(load4(act + hb + o4, count), cp), f32x4.mul(load4(act + o4, count), load4(act + 2 * hb + o4, count)));
        store4(c + o4, cv, count);
        const tc = vtanh(cv);
        store4(hOut + o4, f32x4.mul(load4(act + 3 * hb + o4, count), tc), count);
        if (train) {
          store4(cs + o4, tc, count);
          store4(cs + hb + o4, cp, count);
        }
      }
    }
    if (wHr !== 0) {
      // h = h_raw W_hrᵀ for the rows of this step, then into the output rows
      const raw = train ? rowAt(hRaw, first, H) : rawBuf;
      productPacked(raw, train ? batchStride * H : H, 1, whr, hState, P, n, H, P, false, panels);
      copyRows(hState, 1, rowAt(out, first, P), batchStride, n, P);
    } else {
      copyRows(rowAt(out, first, P), batchStride, hState, 1, n, P);
    }
  }
}

/**
 * Backward through time of lstmForward, from gOut [rows, P] (the gradient of every output row; 0: none) and
 * gcN [N, H] (of the last cell states; 0: none). Writes dGates [rows, 4H] (of the pre-activation gates,
 * which is also the gradient of xg), dh0 [N, P], dc0 [N, H] and, projecting, dhAll [rows, P] (the gradient
 * of each step's projected h, for W_hr's gradient).
 */
export function lstmBackward(
  gates: usize, cells: usize, wHh: usize, wHr: usize, gOut: usize, gcN: usize,
  dGates: usize, dh0: usize, dc0: usize, dhAll: usize,
  steps: usize, T: i32, N: i32, H: i32, P: i32, batchStride: i32, reverse: bool, scratch: usize,
): void {
  const G = 4 * H;
  const whh = scratch;
  const whr = whh + (<usize>packedFloats(G, P) << 2);
  const panels = whr + (wHr !== 0 ? <usize>packedFloats(P, H) << 2 : 0);
  const rawBuf = panels + (<usize>panelFloats() << 2);
  packWhole(wHh, P, 1, G, P, whh); // B = W_hh [4H, P]
  if (wHr !== 0) packWhole(wHr, H, 1, P, H, whr); // B = W_hr [P, H]
  startState(0, dh0, N, P);
  startState(gcN, dc0, N, H);
  for (let s = 0; s < T; s++) {
    const t = reverse ? s : T - 1 - s;
    const n = stepSize(steps, t);
    if (n === 0) continue;
    const first = stepOffset(steps, T, t);
    if (gOut !== 0) {
      for (let r = 0; r < n; r++) {
        const dh = rowAt(dh0, r, P);
        const go = rowAt(gOut, first + r * batchStride, P);
        for (let j = 0; j < P; j += 4) {
          const o4 = <usize>j << 2;
          store4(dh + o4, f32x4.add(load4(dh + o4, P - j), load4(go + o4, P - j)), P - j);
        }
      }
    }
    if (wHr !== 0) {
      copyRows(dh0, 1, rowAt(dhAll, first, P), batchStride, n, P);
      productPacked(dh0, P, 1, whr, rawBuf, H, n, P, H, false, panels);
    }
    for (let r = 0; r < n; r++) {
      const row = first + r * batchStride;
      const gs = rowAt(gates, row, G);
      const cs = rowAt(cells, row, 2 * H);
      const dg = rowAt(dGates, row, G);
      const dhr = wHr !== 0 ? rowAt(rawBuf, r, H) : rowAt(dh0, r, P);
      const dcr = rowAt(dc0, r, H);
      const hb = <usize>H << 2;
      const one = f32x4.splat(1.0);
      for (let j = 0; j < H; j += 4) {
        const count = H - j;
        const o4 = <usize>j << 2;
        const iv = load4(gs + o4, count);
        const fv = load4(gs + hb + o4, count);
        const gv = load4(gs + 2 * hb + o4, count);
        const ov = load4(gs + 3 * hb + o4, count);
        const tc = load4(cs + o4, count);
        const cp = load4(cs + hb + o4, count);
        const dh = load4(dhr + o4, count);
        const dc = f32x4.add(load4(dcr + o4, count), f32x4.mul(f32x4.mul(dh, ov), f32x4.sub(one, f32x4.mul(tc, tc))));
        store4(dg + o4, f32x4.mul(f32x4.mul(dc, gv), f32x4.mul(iv, f32x4.sub(one, iv))), count);
        store4(dg + hb + o4, f32x4.mul(f32x4.mul(dc, cp), f32x4.mul(fv, f32x4.sub(one, fv))), count);
        store4(dg + 2 * hb + o4, f32x4.mul(f32x4.mul(dc, iv), f32x4.sub(one, f32x4.mul(gv, gv))), count);
        store4(dg + 3 * hb + o4, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(ov, f32x4.sub(one, ov))), count);
        store4(dcr + o4, f32x4.mul(dc, fv), count);
      }
    }
    // the gradient of the h this step read: its gates' gradients times W_hh
    productPacked(rowAt(dGates, first, G), batchStride * G, 1, whh, dh0, P, n, G, P, false, panels);
  }
}

// ---- GRU ----

/** Floats of scratch for gruForward and gruBackward. */
export function gruScratchFloats(n: i32, h: i32): i32 {
  return max(packedFloats(h, 3 * h) + n * 4 * h, packedFloats(3 * h, h)) + panelFloats();
}

/**
 * One GRU layer in one direction. xg [rows, 3H] = x W_ihᵀ + b_ih; h0 [N, H] (0: zeros); wHh [3H, H];
 * bHh [3H] (0: none). Writes out [rows, H] and, when `gates` is not 0, gates [rows, 4H] (r, z, n and
 * h W_hnᵀ + b_hn) and hPrev [rows, H].
 */
export function gruForward(
  xg: usize, h0: usize, wHh: usize, bHh: usize, out: usize, gates: usize, hPrev: usize,
  steps: usize, T: i32, N: i32, H: i32, batchStride: i32, reverse: bool, scratch: usize,
): void {
  const G = 3 * H;
  const whh = scratch;
  const panels = whh + (<usize>packedFloats(H, G) << 2);
  const gbuf = panels + (<usize>panelFloats() << 2);
  const hState = gbuf + ((<usize>N * G) << 2);
  packWhole(wHh, 1, H, H, G, whh);
  startState(h0, hState, N, H);
  const train = gates !== 0;
  const hb = <usize>H << 2;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const n = stepSize(steps, t);
    if (n === 0) continue;
    const first = stepOffset(steps, T, t);
    productPacked(hState, H, 1, whh, gbuf, G, n, H, G, false, panels);
    if (train) copyRows(hState, 1, rowAt(hPrev, first, H), batchStride, n, H);
    for (let r = 0; r < n; r++) {
      const row = first + r * batchStride;
      const x = rowAt(xg, row, G);
      const g = rowAt(gbuf, r, G);
      const h = rowAt(hState, r, H);
      if (bHh !== 0) {
        for (let j = 0; j < G; j += 4) store4(g + (<usize>j << 2), f32x4.add(load4(g + (<usize>j << 2), G - j), load4(bHh + (<usize>j << 2), G - j)), G - j);
      }
      // r and z (into the saved gates when training), then n and h' from them, as the LSTM's cell
      const act = train ? rowAt(gates, row, 4 * H) : g;
      activate(x, g, act, 2 * H, false);
      for (let j = 0; j < H; j += 4) {
        const count = H - j;
        const o4 = <usize>j << 2;
        const hn = load4(g + 2 * hb + o4, count);
        const nv = vtanh(f32x4.add(load4(x + 2 * hb + o4, count), f32x4.mul(hn, load4(act + o4, count))));
        const hp = load4(h + o4, count);
        store4(h + o4, f32x4.add(f32x4.mul(f32x4.sub(hp, nv), load4(act + hb + o4, count)), nv), count);
        if (train) {
          store4(act + 2 * hb + o4, nv, count);
          store4(act + 3 * hb + o4, hn, count);
        }
      }
    }
    copyRows(hState, 1, rowAt(out, first, H), batchStride, n, H);
  }
}

/**
 * Backward through time of gruForward from gOut [rows, H]. Writes dGx [rows, 3H] (the gradient of xg),
 * dGh [rows, 3H] (of h W_hhᵀ + b_hh: for W_hh's and b_hh's gradients) and dh0 [N, H].
 */
export function gruBackward(
  gates: usize, hPrev: usize, wHh: usize, gOut: usize, dGx: usize, dGh: usize, dh0: usize,
  steps: usize, T: i32, N: i32, H: i32, batchStride: i32, reverse: bool, scratch: usize,
): void {
  const G = 3 * H;
  const whh = scratch;
  const panels = whh + (<usize>packedFloats(G, H) << 2);
  packWhole(wHh, H, 1, G, H, whh);
  startState(0, dh0, N, H);
  const hb = <usize>H << 2;
  const one = f32x4.splat(1.0);
  for (let s = 0; s < T; s++) {
    const t = reverse ? s : T - 1 - s;
    const n = stepSize(steps, t);
    if (n === 0) continue;
    const first = stepOffset(steps, T, t);
    for (let r = 0; r < n; r++) {
      const row = first + r * batchStride;
      const gs = rowAt(gates, row, 4 * H);
      const hp = rowAt(hPrev, row, H);
      const dh = rowAt(dh0, r, H);
      const go = rowAt(gOut, row, H);
      const dx = rowAt(dGx, row, G);
      const dhh = rowAt(dGh, row, G);
      for (let j = 0; j < H; j += 4) {
        const count = H - j;
        const o4 = <usize>j << 2;
        const rv = load4(gs + o4, count);
        const zv = load4(gs + hb + o4, count);
        const nv = load4(gs + 2 * hb + o4, count);
        const hn = load4(gs + 3 * hb + o4, count);
        let d = load4(dh + o4, count);
        if (gOut !== 0) d = f32x4.add(d, load4(go + o4, count));
        const dz = f32x4.mul(f32x4.mul(d, f32x4.sub(load4(hp + o4, count), nv)), f32x4.mul(zv, f32x4.sub(one, zv)));
        const dn = f32x4.mul(f32x4.mul(d, f32x4.sub(one, zv)), f32x4.sub(one, f32x4.mul(nv, nv)));
        const dr = f32x4.mul(f32x4.mul(dn, hn), f32x4.mul(rv, f32x4.sub(one, rv)));
        store4(dx + o4, dr, count);
        store4(dx + hb + o4, dz, count);
        store4(dx + 2 * hb + o4, dn, count);
        store4(dhh + o4, dr, count);
        store4(dhh + hb + o4, dz, count);
        store4(dhh + 2 * hb + o4, f32x4.mul(dn, rv), count);
        store4(dh + o4, f32x4.mul(d, zv), count); // the direct path h' = ... + z h; W_hh's path is added below
      }
    }
    productPacked(rowAt(dGh, first, G), batchStride * G, 1, whh, dh0, H, n, G, H, true, panels);
  }
}

// ---- Elman RNN ----

/** Floats of scratch for rnnForward and rnnBackward. */
export function rnnScratchFloats(n: i32, h: i32): i32 {
  return packedFloats(h, h) + panelFloats() + 2 * n * h;
}

/**
 * One Elman RNN layer in one direction: h' = act(xg + h W_hhᵀ), xg [rows, H] = x W_ihᵀ + b_ih + b_hh,
 * act tanh or relu. Writes out [rows, H] and, when hPrev is not 0, the h each step read.
 */
export function rnnForward(
  xg: usize, h0: usize, wHh: usize, out: usize, hPrev: usize,
  steps: usize, T: i32, N: i32, H: i32, batchStride: i32, reverse: bool, relu: bool, scratch: usize,
): void {
  const whh = scratch;
  const panels = whh + (<usize>packedFloats(H, H) << 2);
  const gbuf = panels + (<usize>panelFloats() << 2);
  const hState = gbuf + ((<usize>N * H) << 2);
  packWhole(wHh, 1, H, H, H, whh);
  startState(h0, hState, N, H);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const n = stepSize(steps, t);
    if (n === 0) continue;
    const first = stepOffset(steps, T, t);
    if (hPrev !== 0) copyRows(hState, 1, rowAt(hPrev, first, H), batchStride, n, H);
    productPacked(hState, H, 1, whh, gbuf, H, n, H, H, false, panels);
    for (let r = 0; r < n; r++) {
      const x = rowAt(xg, first + r * batchStride, H);
      const g = rowAt(gbuf, r, H);
      const h = rowAt(hState, r, H);
      for (let j = 0; j < H; j += 4) {
        const o4 = <usize>j << 2;
        const pre = f32x4.add(load4(x + o4, H - j), load4(g + o4, H - j));
        store4(h + o4, relu ? f32x4.max(pre, f32x4.splat(0)) : vtanh(pre), H - j);
      }
    }
    copyRows(hState, 1, rowAt(out, first, H), batchStride, n, H);
  }
}

/** Backward through time of rnnForward from its output and gOut [rows, H]: writes dGx [rows, H] and dh0 [N, H]. */
export function rnnBackward(
  out: usize, wHh: usize, gOut: usize, dGx: usize, dh0: usize,
  steps: usize, T: i32, N: i32, H: i32, batchStride: i32, reverse: bool, relu: bool, scratch: usize,
): void {
  const whh = scratch;
  const panels = whh + (<usize>packedFloats(H, H) << 2);
  packWhole(wHh, H, 1, H, H, whh);
  startState(0, dh0, N, H);
  for (let s = 0; s < T; s++) {
    const t = reverse ? s : T - 1 - s;
    const n = stepSize(steps, t);
    if (n === 0) continue;
    const first = stepOffset(steps, T, t);
    for (let r = 0; r < n; r++) {
      const row = first + r * batchStride;
      const y = rowAt(out, row, H);
      const dh = rowAt(dh0, r, H);
      const dx = rowAt(dGx, row, H);
      for (let j = 0; j < H; j += 4) {
        const o4 = <usize>j << 2;
        let d = load4(dh + o4, H - j);
        if (gOut !== 0) d = f32x4.add(d, load4(rowAt(gOut, row, H) + o4, H - j));
        const yv = load4(y + o4, H - j);
        const dpre = relu
          ? v128.and(d, f32x4.gt(yv, f32x4.splat(0)))
          : f32x4.mul(d, f32x4.sub(f32x4.splat(1.0), f32x4.mul(yv, yv)));
        store4(dx + o4, dpre, H - j);
      }
    }
    productPacked(rowAt(dGx, first, H), batchStride * H, 1, whh, dh0, H, n, H, H, false, panels);
  }
}
