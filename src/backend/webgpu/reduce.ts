// Reductions along axes (several runs of reduced axes are first permuted behind the kept ones) and
// softmax and its backward along an axis. A contiguous row (the reduced axis innermost) is reduced
// by one workgroup: each thread folds a strided share, then a tree in workgroup memory combines the
// shares; otherwise each thread folds one output's elements in order. Ties and NaN follow the reference:
// max/min propagate NaN, arg* return the first extreme (or the first NaN).
import type { ReduceOp } from '../backend.js';
import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { mergeAxes, splitAxis } from '../js/reduce.js';
import { permute } from './layout.js';
import { releaseStorage } from './memory.js';
import { ROW_REDUCE, ROW_THREADS, rowMain, temporary } from './rows.js';
import { binding, convert, elementwise, f32bits, grid, gridFor, HEADER, launch, wgslType } from './wgsl.js';
import { MATH } from './math.js';

const THREADS = 256;

/** WGSL for a fold state S (acc, idx of the extreme, has: seen any element) and its init/visit/merge/result. */
function foldCode(op: ReduceOp, c: 'f32' | 'i32', outType: string, outDtype: Parameters<typeof convert>[2]): string {
  const zero = c === 'f32' ? '0.0' : '0';
  const one = c === 'f32' ? '1.0' : '1';
  const isNan = (e: string) => (c === 'f32' ? `isNan(${e})` : 'false');
  let init: string;
  let visit: string;
  let merge: string;
  let result: string;
  switch (op) {
    case 'sum':
    case 'prod': {
      const f = op === 'sum' ? '+' : '*';
      init = `S(${op === 'sum' ? zero : one}, 0u, 0u)`;
      visit = `return S(s.acc ${f} v, 0u, 1u);`;
      merge = `return S(a.acc ${f} b.acc, 0u, 1u);`;
      result = convert('s.acc', c, outDtype);
      break;
    }
    case 'any':
    case 'all': {
      init = `S(${op === 'any' ? zero : one}, 0u, 0u)`;
      const join = op === 'any' ? '||' : '&&';
      const truth = (u: string, v: string) => `select(${zero}, ${one}, !(${u} == ${zero}) ${join} !(${v} == ${zero}))`;
      visit = `return S(${truth('s.acc', 'v')}, 0u, 1u);`;
      merge = `return S(${truth('a.acc', 'b.acc')}, 0u, 1u);`;
      result = convert('s.acc', c, outDtype);
      break;
    }
    default: {
      const better = op === 'max' || op === 'argmax' ? '>' : '<';
      const empty = c === 'f32' ? (better === '>' ? '-infF()' : 'infF()') : (better === '>' ? '-2147483647 - 1' : '2147483647');
      init = `S(${empty}, 0u, 0u)`;
      // a later element wins only if strictly better, or NaN over a number: the first extreme or NaN stays
      visit = `if (s.has == 0u || v ${better} s.acc || (${isNan('v')} && !${isNan('s.acc')})) { return S(v, r, 1u); } return s;`;
      // partial folds interleave positions: on equal values (or both NaN) the smaller position wins
      merge = `if (b.has == 0u) { return a; } if (a.has == 0u) { return b; }
  let an = ${isNan('a.acc')}; let bn = ${isNan('b.acc')};
  if (an || bn) { if (bn && (!an || b.idx < a.idx)) { return b; } return a; }
  if (b.acc ${better} a.acc || (b.acc == a.acc && b.idx < a.idx)) { return b; } return a;`;
      result = op.startsWith('arg') ? convert('i32(s.idx)', 'i32', outDtype) : convert('s.acc', c, outDtype);
    }
  }
  return `struct S { acc: ${c}, idx: u32, has: u32 }
fn initial() -> S { return ${init}; }
fn visit(s: S, v: ${c}, r: u32) -> S { ${visit} }
fn merge(a: S, b: S) -> S { ${merge} }
fn result(s: S) -> ${outType} { return ${result}; }
`;
}

export function reduce(op: ReduceOp, x: Storage, shape: Shape, axes: readonly number[], out: Storage): void {
  if (out.length === 0) return;
  const { sizes, reduced } = mergeAxes(shape, axes);
  const count = sizes.filter((_, d) => reduced[d]).length;
  if (count <= 1) {
    // one run of reduced axes (or none: every reduced axis has size 1): [outer, size, inner]
    const d = reduced.indexOf(true);
    const size = d < 0 ? 1 : sizes[d];
    const inner = d < 0 ? 1 : sizes.slice(d + 1).reduce((p, s) => p * s, 1);
    reduceAxis(op, x, [out.length / inner, size, inner], out);
    return;
  }
  // several runs: the kept axes first, then reduced rows (in row-major order of the reduced indices)
  const order = [...sizes.keys()].sort((a, b) => Number(reduced[a]) - Number(reduced[b]));
  const moved = temporary(x, x.dtype, x.length);
  permute(x, sizes, order, moved);
  reduceAxis(op, moved, [out.length, x.length / out.length, 1], out);
  releaseStorage(moved);
}

function reduceAxis(op: ReduceOp, x: Storage, [outer, size, inner]: [number, number, number], out: Storage): void {
  const c = x.dtype === 'float32' ? 'f32' : 'i32';
  const common = `${HEADER}${binding(1, 'x', wgslType(x.dtype))}${binding(2, 'out', wgslType(out.dtype), true)}
${foldCode(op, c, wgslType(out.dtype), out.dtype)}
fn load(at: u32) -> ${c} { return ${convert('x[at]', x.dtype, c)}; }
`;
  if (inner === 1) {
    const code = `${common}
var<workgroup> part: array<S, ${THREADS}>;
@compute @workgroup_size(${THREADS}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = wid.y * groups.x + wid.x;
  let rows = P(0);
  let size = P(1);
  var s = initial();
  if (row < rows) {
    for (var r = lid.x; r < size; r = r + ${THREADS}u) { s = visit(s, load(row * size + r), r); }
  }
  part[lid.x] = s;
  workgroupBarrier();
  for (var half = ${THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid.x < half) { part[lid.x] = merge(part[lid.x], part[lid.x + half]); }
    workgroupBarrier();
  }
  if (lid.x == 0u && row < rows) { out[row] = result(part[0]); }
}`;
    launch(code, [outer, size], [x, out], [1], grid(outer));
    return;
  }
  const code = `${common}
${elementwise(`let o = i / P(2); let at = o * P(1) * P(2) + i % P(2);
  var s = initial();
  for (var r = 0u; r < P(1); r = r + 1u) { s = visit(s, load(at + r * P(2)), r); }
  out[i] = result(s);`)}`;
  launch(code, [outer * inner, size, inner], [x, out], [1], gridFor(outer * inner));
}

export function softmax(x: Storage, shape: Shape, axis: number, out: Storage, log: boolean): void {
  const [outer, size, inner] = splitAxis(shape, axis);
  if (outer * inner === 0 || size === 0) return;
  // a row of -inf sums to 0: NaN, as the reference's -inf - log(0) (spelled out: compilers may fold it to -inf)
  const write = log ? 'out[at] = select(x[at] - m - logF(total), nanF(), total == 0.0);' : 'out[at] = expF(x[at] - m) / total;';
  const code = `${HEADER}${MATH}${ROW_REDUCE}${binding(1, 'x', 'f32')}${binding(2, 'out', 'f32', true)}
${rowMain(`var m = -infF();
  for (var r = l; r < size; r = r + ${ROW_THREADS}u) { let v = x[base + r * step]; m = select(m, v, v > m); }
  m = wgMax(l, m);
  if (isInf(m) && m < 0.0) { m = 0.0; } // a row of -inf: exp(-inf - 0) = 0, so 0/0 = NaN as in the reference
  var sum = 0.0;
  for (var r = l; r < size; r = r + ${ROW_THREADS}u) { sum = sum + expF(x[base + r * step] - m); }
  let total = wgSum(l, sum);
  for (var r = l; r < size; r = r + ${ROW_THREADS}u) { let at = base + r * step; ${write} }`)}`;
  launch(code, [outer * inner, size, inner], [x, out], [1], grid(outer * inner));
}

export function softmaxBackward(grad: Storage, y: Storage, shape: Shape, axis: number, out: Storage, log: boolean): void {
  const [outer, size, inner] = splitAxis(shape, axis);
  if (outer * inner === 0 || size === 0) return;
  // softmax: y * (g - sum(g * y)); log-softmax: g - exp(y) * sum(g)
  const term = log ? 'g[at]' : 'g[at] * y[at]';
  const write = log ? 'out[at] = g[at] - expF(y[at]) * total;' : 'out[at] = y[at] * (g[at] - total);';
  const code = `${HEADER}${MATH}${ROW_REDUCE}${binding(1, 'g', 'f32')}${binding(2, 'y', 'f32')}${binding(3, 'out', 'f32', true)}
${rowMain(`var sum = 0.0;
  for (var r = l; r < size; r = r + ${ROW_THREADS}u) { let at = base + r * step; sum = sum + ${term}; }
  let total = wgSum(l, sum);
  for (var r = l; r < size; r = r + ${ROW_THREADS}u) { let at = base + r * step; ${write} }`)}`;
  launch(code, [outer * inner, size, inner], [grad, y, out], [2], grid(outer * inner));
}

/** embedding's maxNorm: each distinct row named in `rows` whose p-norm exceeds maxNorm is scaled to it, in place (one workgroup per entry). */
export function renormRows(weight: Storage, dim: number, rows: Storage, maxNorm: number, p: number): void {
  if (rows.length === 0) return;
  const norm = p === Infinity ? 'max(a, b)' : 'a + b';
  const term = p === Infinity ? 'abs(w)' : 'powF(abs(w), PF(3u))';
  const finish = p === Infinity ? 'part[0]' : 'powF(part[0], 1.0 / PF(3u))';
  const code = `${HEADER}${MATH}${binding(1, 'weight', 'f32', true)}${binding(2, 'rows', 'i32')}
var<workgroup> part: array<f32, ${THREADS}>;
fn combine(a: f32, b: f32) -> f32 { return ${norm}; }
@compute @workgroup_size(${THREADS}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let k = wid.y * groups.x + wid.x;
  let dim = P(1);
  var live = k < P(0);
  var row = 0u;
  if (live) {
    row = u32(rows[k]);
    for (var j = 0u; j < k; j = j + 1u) { if (u32(rows[j]) == row) { live = false; break; } } // once per distinct row
  }
  var s = 0.0;
  if (live) { for (var c = lid.x; c < dim; c = c + ${THREADS}u) { let w = weight[row * dim + c]; s = combine(s, ${term}); } }
  part[lid.x] = s;
  workgroupBarrier();
  for (var half = ${THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid.x < half) { part[lid.x] = combine(part[lid.x], part[lid.x + half]); }
    workgroupBarrier();
  }
  let total = ${finish};
  if (live && total > PF(2u)) {
    let scale = PF(2u) / (total + 1e-7);
    for (var c = lid.x; c < dim; c = c + ${THREADS}u) { weight[row * dim + c] = weight[row * dim + c] * scale; }
  }
}`;
  launch(code, [rows.length, dim, f32bits(maxNorm), f32bits(p)], [weight, rows], [0], grid(rows.length));
}
