// Convolution as implicit GEMM (the im2col matrix is never built: the GEMM's loads compute which input
// element, or 0 in the padding, each entry is), its two gradients as GEMMs of the same kind, unfold and
// fold (im2col, col2im) as gathers, and max pooling.
import type { ConvGeometry } from '../backend.js';
import type { Storage } from '../../tensor/storage.js';
import { clearBuffer } from './commands.js';
import { accumulator } from './layout.js';
import { GEMM_PARAMS, gemm } from './gemm.js';
import { checkFloat32 } from './matmul.js';
import { bufferOf, ELEMENT_BYTES } from './memory.js';
import { binding, elementwise, grid, gridFor, HEADER, launch } from './wgsl.js';

const NAMES = ['C', 'H', 'W', 'KH', 'KW', 'SH', 'SW', 'PH', 'PW', 'DH', 'DW', 'OH', 'OW', 'COUT'] as const;

/** The geometry as parameter words (in NAMES' order). */
function geometryWords(c: number, h: number, w: number, g: ConvGeometry, cout = 0): number[] {
  return [c, h, w, ...g.kernel, ...g.stride, ...g.padding, ...g.dilation, ...g.outSize, cout];
}

/**
 * WGSL accessors C(), H(), ... for geometry words from parameter `base`, and the index arithmetic of
 * a kernel tap: `tapIn` finds the input row (or column) a tap reads, `tapOut` the output position that
 * reads input position y through tap k (-1 when none does).
 */
function geometryCode(base: number): string {
  return `${NAMES.map((name, i) => `fn ${name}() -> u32 { return P(${base + i}u); }`).join('\n')}
fn TAPS() -> u32 { return KH() * KW(); }
fn tapIn(o: u32, k: u32, stride: u32, pad: u32, dilation: u32) -> i32 { return i32(o * stride + k * dilation) - i32(pad); }
fn tapOut(y: u32, k: u32, stride: u32, pad: u32, dilation: u32, size: u32) -> i32 {
  let t = i32(y + pad) - i32(k * dilation);
  if (t < 0 || t % i32(stride) != 0) { return -1; }
  let o = t / i32(stride);
  if (o >= i32(size)) { return -1; }
  return o;
}`;
}

// Entry (tap row kk, output position l) of image b's im2col matrix, read from binding `x`.
const IM2COL_AT = `
fn im2colAt(b: u32, kk: u32, l: u32) -> f32 {
  let ci = kk / TAPS(); let q = kk % TAPS();
  let iy = tapIn(l / OW(), q / KW(), SH(), PH(), DH());
  let ix = tapIn(l % OW(), q % KW(), SW(), PW(), DW());
  if (iy < 0 || ix < 0 || iy >= i32(H()) || ix >= i32(W())) { return 0.0; }
  return x[((b * C() + ci) * H() + u32(iy)) * W() + u32(ix)];
}`;

export function conv2d(
  x: Storage, n: number, c: number, h: number, w: number, weight: Storage, cout: number, bias: Storage | null, g: ConvGeometry, out: Storage,
): void {
  checkFloat32('conv2d', x, weight, bias, out);
  const k = c * g.kernel[0] * g.kernel[1];
  const l = g.outSize[0] * g.outSize[1];
  gemm({
    bindings: `${binding(1, 'x', 'f32')}${binding(2, 'weight', 'f32')}${bias ? binding(3, 'bias', 'f32') : ''}${binding(bias ? 4 : 3, 'out', 'f32', true)}`,
    loadA: `${geometryCode(GEMM_PARAMS)}${IM2COL_AT}
fn loadA(t: u32, co: u32, kk: u32) -> f32 { return weight[co * P(2) + kk]; }`,
    loadB: 'fn loadB(t: u32, kk: u32, col: u32) -> f32 { let L = OH() * OW(); return im2colAt(col / L, kk, col % L); }',
    store: `fn store(t: u32, co: u32, col: u32, v: f32) {
  let L = OH() * OW();
  out[((col / L) * COUT() + co) * L + col % L] = v${bias ? ' + bias[co]' : ''};
}`,
    aAlongK: true,
    bAlongK: false,
  }, 'conv2d', cout, n * l, k, 1, geometryWords(c, h, w, g, cout), bias ? [x, weight, bias, out] : [x, weight, out], [bias ? 3 : 2]);
}

export function conv2dBackward(
  x: Storage, n: number, c: number, h: number, w: number, weight: Storage, cout: number, g: ConvGeometry,
  gradOut: Storage, gradInput: Storage | null, gradWeight: Storage | null, gradBias: Storage | null,
): void {
  checkFloat32('conv2dBackward', x, weight, gradOut, gradInput, gradWeight, gradBias);
  const k = c * g.kernel[0] * g.kernel[1];
  const l = g.outSize[0] * g.outSize[1];
  const words = geometryWords(c, h, w, g, cout);
  if (gradWeight) {
    // gradWeight [cout, K] = sum over images and positions of gradOut [cout, (b, l)] @ im2col [(b, l), K]
    gemm({
      bindings: `${binding(1, 'x', 'f32')}${binding(2, 'gradOut', 'f32')}${binding(3, 'gradWeight', 'f32', true)}`,
      loadA: `${geometryCode(GEMM_PARAMS)}${IM2COL_AT}
fn loadA(t: u32, co: u32, r: u32) -> f32 { let L = OH() * OW(); return gradOut[((r / L) * COUT() + co) * L + r % L]; }`,
      loadB: 'fn loadB(t: u32, r: u32, kk: u32) -> f32 { let L = OH() * OW(); return im2colAt(r / L, kk, r % L); }',
      store: 'fn store(t: u32, co: u32, kk: u32, v: f32) { gradWeight[co * P(1) + kk] = v; }',
      aAlongK: true,
      bAlongK: true,
    }, 'conv2dBackward', cout, k, n * l, 1, words, [x, gradOut, gradWeight], [2]);
  }
  if (gradInput) {
    // gradInput [c, (b, y, x)] = weight^T [c, (co, tap)] @ the taps of gradOut that read each input position
    gemm({
      bindings: `${binding(1, 'weight', 'f32')}${binding(2, 'gradOut', 'f32')}${binding(3, 'gradInput', 'f32', true)}`,
      loadA: `${geometryCode(GEMM_PARAMS)}
fn loadA(t: u32, ci: u32, r: u32) -> f32 { return weight[(r / TAPS()) * C() * TAPS() + ci * TAPS() + r % TAPS()]; }`,
      loadB: `fn loadB(t: u32, r: u32, col: u32) -> f32 {
  let co = r / TAPS(); let q = r % TAPS();
  let plane = H() * W(); let b = col / plane; let pos = col % plane;
  let oy = tapOut(pos / W(), q / KW(), SH(), PH(), DH(), OH());
  let ox = tapOut(pos % W(), q % KW(), SW(), PW(), DW(), OW());
  if (oy < 0 || ox < 0) { return 0.0; }
  return gradOut[((b * COUT() + co) * OH() + u32(oy)) * OW() + u32(ox)];
}`,
      store: 'fn store(t: u32, ci: u32, col: u32, v: f32) { let plane = H() * W(); gradInput[((col / plane) * C() + ci) * plane + col % plane] = v; }',
      aAlongK: true,
      bAlongK: false,
    }, 'conv2dBackward', c, n * h * w, cout * g.kernel[0] * g.kernel[1], 1, words, [weight, gradOut, gradInput], [2]);
  }
  if (gradBias) {
    const code = `${HEADER}${binding(1, 'gradOut', 'f32')}${binding(2, 'gradBias', 'f32', true)}
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let co = wid.y * groups.x + wid.x;
  let cout = P(0); let n = P(1); let L = P(2);
  var s = 0.0;
  if (co < cout) { for (var r = lid.x; r < n * L; r = r + 256u) { s = s + gradOut[((r / L) * cout + co) * L + r % L]; } }
  part[lid.x] = s;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half = half / 2u) {
    if (lid.x < half) { part[lid.x] = part[lid.x] + part[lid.x + half]; }
    workgroupBarrier();
  }
  if (lid.x == 0u && co < cout) { gradBias[co] = part[0]; }
}`;
    launch(code, [cout, n, l], [gradOut, gradBias], [1], grid(cout));
  }
}

export function im2col(x: Storage, n: number, c: number, h: number, w: number, g: ConvGeometry, out: Storage): void {
  const k = c * g.kernel[0] * g.kernel[1];
  const l = g.outSize[0] * g.outSize[1];
  checkFloat32('im2col', x, out);
  const code = `${HEADER}${binding(1, 'x', 'f32')}${binding(2, 'out', 'f32', true)}
${geometryCode(1)}${IM2COL_AT}
${elementwise(`let K = C() * TAPS(); let L = OH() * OW(); let b = i / (K * L); let rest = i % (K * L); out[i] = im2colAt(b, rest / L, rest % L);`)}`;
  launch(code, [n * k * l, ...geometryWords(c, h, w, g)], [x, out], [1], gridFor(n * k * l));
}

export function col2im(cols: Storage, n: number, c: number, h: number, w: number, g: ConvGeometry, out: Storage): void {
  checkFloat32('col2im', cols, out);
  const total = n * c * h * w;
  // each image element sums the column entries of the taps that read it
  const code = `${HEADER}${binding(1, 'cols', 'f32')}${binding(2, 'out', 'f32', true)}
${geometryCode(1)}
${elementwise(`let plane = H() * W(); let bc = i / plane; let pos = i % plane; let b = bc / C(); let ci = bc % C();
  let L = OH() * OW();
  var s = 0.0;
  for (var q = 0u; q < TAPS(); q = q + 1u) {
    let oy = tapOut(pos / W(), q / KW(), SH(), PH(), DH(), OH());
    let ox = tapOut(pos % W(), q % KW(), SW(), PW(), DW(), OW());
    if (oy >= 0 && ox >= 0) { s = s + cols[((b * C() + ci) * TAPS() + q) * L + u32(oy) * OW() + u32(ox)]; }
  }
  out[i] = s;`)}`;
  launch(code, [total, ...geometryWords(c, h, w, g)], [cols, out], [1], gridFor(total));
}

export function maxPool2d(x: Storage, planes: number, h: number, w: number, g: ConvGeometry, values: Storage, indices: Storage): void {
  checkFloat32('maxPool2d', x, values);
  const total = planes * g.outSize[0] * g.outSize[1];
  // the reference's window walk: taps in the padding are skipped, a later element wins only if greater or NaN
  const code = `${HEADER}${binding(1, 'x', 'f32')}${binding(2, 'values', 'f32', true)}${binding(3, 'indices', 'i32', true)}
${geometryCode(1)}
fn firstInside(start: i32, dilation: i32) -> i32 { var s = start; loop { if (s >= 0) { break; } s = s + dilation; } return s; }
${elementwise(`let L = OH() * OW(); let p = i / L; let o = i % L;
  let hh = i32(H()); let ww = i32(W());
  let y0 = firstInside(i32((o / OW()) * SH()) - i32(PH()), i32(DH()));
  let y1 = min(i32((o / OW()) * SH()) - i32(PH()) + i32((KH() - 1u) * DH()) + 1, hh);
  let x0 = firstInside(i32((o % OW()) * SW()) - i32(PW()), i32(DW()));
  let x1 = min(i32((o % OW()) * SW()) - i32(PW()) + i32((KW() - 1u) * DW()) + 1, ww);
  var best = -infF();
  var at = y0 * ww + x0;
  for (var y = y0; y < y1; y = y + i32(DH())) {
    for (var xi = x0; xi < x1; xi = xi + i32(DW())) {
      let v = x[p * H() * W() + u32(y * ww + xi)];
      if (v > best || isNan(v)) { best = v; at = y * ww + xi; }
    }
  }
  values[i] = best;
  indices[i] = at;`)}`;
  launch(code, [total, ...geometryWords(1, h, w, g)], [x, values, indices], [1, 2], gridFor(total));
}

export function maxPool2dBackward(grad: Storage, indices: Storage, planes: number, h: number, w: number, out: Storage): void {
  checkFloat32('maxPool2dBackward', grad, out);
  clearBuffer(bufferOf(out), out.length * ELEMENT_BYTES);
  const count = planes === 0 ? 0 : grad.length / planes;
  const code = `${HEADER}${binding(1, 'grad', 'f32')}${binding(2, 'indices', 'i32')}${accumulator(3, 'float32', 'maxPool2dBackward')}
${elementwise('accumulate((i / P(1)) * P(2) + u32(indices[i]), grad[i]);')}`;
  launch(code, [grad.length, count, h * w], [grad, indices, out], [2], gridFor(grad.length));
}
