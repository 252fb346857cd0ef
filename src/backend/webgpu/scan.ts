// Scans along an axis of [outer, n, inner] (line = o * inner + i, element r at (o * n + r) * inner + i):
// cumulative sums and products and cumprod's gradient. A short line is one thread's sequential walk (the
// reference's order); a long one is one workgroup's: each thread folds a contiguous chunk, a scan of the
// chunks' totals in workgroup memory gives each chunk its start, and each thread walks its chunk again.
// Floats accumulate in f32 (the reference in double): a sum's error grows with the chunk, not the line.
import type { Storage } from '../../tensor/storage.js';
import { binding, convert, elementwise, grid, gridFor, HEADER, launch, wgslType } from './wgsl.js';

const THREADS = 256;
/** Lines up to this long are scanned by one thread each. */
const SHORT = 32;

/**
 * WGSL over `x` (binding 1) into `out` (binding 2): `combine(a, b)` and `identity()` of the accumulator
 * type; its `main` writes out's running totals, line by line.
 */
function scanCode(x: Storage, out: Storage, combine: string, identity: string, long: boolean): string {
  const c = wgslType(out.dtype);
  const common = `${HEADER}${binding(1, 'x', wgslType(x.dtype))}${binding(2, 'out', c, true)}
fn combine(a: ${c}, b: ${c}) -> ${c} { return ${combine}; }
fn load(at: u32) -> ${c} { return ${convert('x[at]', x.dtype, out.dtype)}; }
`;
  if (!long) {
    return `${common}${elementwise(`let n = P(1); let inner = P(2); let base = (i / inner) * n * inner + i % inner;
  var acc: ${c} = ${identity};
  for (var r = 0u; r < n; r = r + 1u) { let at = base + r * inner; acc = combine(acc, load(at)); out[at] = acc; }`)}`;
  }
  return `${common}
var<workgroup> totals: array<${c}, ${THREADS}>;
@compute @workgroup_size(${THREADS}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let line = wid.y * groups.x + wid.x;
  let live = line < P(0);
  let n = P(1); let inner = P(2); let base = (line / inner) * n * inner + line % inner;
  let chunk = (n + ${THREADS - 1}u) / ${THREADS}u;
  let first = min(lid.x * chunk, n); let last = min(first + chunk, n);
  var acc: ${c} = ${identity};
  if (live) { for (var r = first; r < last; r = r + 1u) { acc = combine(acc, load(base + r * inner)); } }
  totals[lid.x] = acc;
  workgroupBarrier();
  // inclusive scan of the chunks' totals (Hillis-Steele)
  for (var d = 1u; d < ${THREADS}u; d = d * 2u) {
    var t = totals[lid.x];
    if (lid.x >= d) { t = combine(totals[lid.x - d], t); }
    workgroupBarrier();
    totals[lid.x] = t;
    workgroupBarrier();
  }
  if (!live) { return; }
  acc = ${identity};
  if (lid.x > 0u) { acc = totals[lid.x - 1u]; }
  for (var r = first; r < last; r = r + 1u) { let at = base + r * inner; acc = combine(acc, load(at)); out[at] = acc; }
}`;
}

export function cumulative(op: 'sum' | 'prod', x: Storage, outer: number, n: number, inner: number, out: Storage): void {
  const lines = outer * inner;
  if (lines === 0 || n === 0) return;
  const float = out.dtype === 'float32';
  const identity = op === 'sum' ? (float ? '0.0' : '0') : (float ? '1.0' : '1');
  const long = n > SHORT;
  const code = scanCode(x, out, op === 'sum' ? 'a + b' : 'a * b', identity, long);
  launch(code, [lines, n, inner], [x, out], [1], long ? grid(lines) : gridFor(lines));
}

/**
 * cumprod's gradient as the reference's, a thread per line: S_j = g_j + x_{j+1} S_{j+1} walking back
 * (kept in out), then out_j = (x_0 ... x_{j-1}) S_j walking forward; exact where x has zeros.
 */
export function cumprodBackward(x: Storage, grad: Storage, outer: number, n: number, inner: number, out: Storage): void {
  const lines = outer * inner;
  if (lines === 0 || n === 0) return;
  const code = `${HEADER}${binding(1, 'x', 'f32')}${binding(2, 'g', 'f32')}${binding(3, 'out', 'f32', true)}
${elementwise(`let n = P(1); let inner = P(2); let base = (i / inner) * n * inner + i % inner;
  var s = 0.0;
  for (var r = n; r > 0u; r = r - 1u) {
    let at = base + (r - 1u) * inner;
    if (r < n) { s = x[at + inner] * s; }
    s = g[at] + s;
    out[at] = s;
  }
  var prefix = 1.0;
  for (var r = 0u; r < n; r = r + 1u) { let at = base + r * inner; out[at] = prefix * out[at]; prefix = prefix * x[at]; }`)}`;
  launch(code, [lines, n, inner], [x, grad, out], [2], gridFor(lines));
}
