// Selections whose size depends on the values (nonzero, unique), on the GPU: flags of the elements that
// start an entry, an inclusive scan of the flags (cumulative) for each entry's place, then a thread per
// element writes its entry. The number of entries is written into a storage (the op reads it, with
// `await` on this device); nothing is read back here.
import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { cast, fill } from './elementwise.js';
import { releaseStorage } from './memory.js';
import { temporary } from './rows.js';
import { cumulative } from './scan.js';
import { topk } from './sort.js';
import { binding, elementwise, gridFor, HEADER, launch, wgslType } from './wgsl.js';

export function nonzero(x: Storage, shape: Shape, out: Storage, count: Storage): void {
  const n = x.length;
  if (n === 0) {
    fill(count, 0);
    return;
  }
  if (shape.length > 8) throw new Error(`webgpu: nonzero of a tensor of rank ${shape.length} is not implemented (at most 8)`);
  const flags = temporary(x, 'bool', n);
  cast(x, flags);
  const places = temporary(x, 'int32', n);
  cumulative('sum', flags, 1, n, 1, places);
  const code = `${HEADER}${binding(1, 'flags', 'u32')}${binding(2, 'places', 'i32')}${binding(3, 'out', 'i32', true)}${binding(4, 'count', 'i32', true)}
${elementwise(`let ndim = P(1);
  if (i == P(0) - 1u) { count[0] = places[i]; }
  if (flags[i] == 0u) { return; }
  let at = u32(places[i] - 1) * ndim;
  var rest = i;
  for (var d = ndim; d > 0u; d = d - 1u) { let size = P(1u + d); out[at + d - 1u] = i32(rest % size); rest = rest / size; }`)}`;
  launch(code, [n, shape.length, ...shape], [flags, places, out, count], [2, 3], gridFor(n));
  releaseStorage(flags);
  releaseStorage(places);
}

export function unique(x: Storage, values: Storage, inverse: Storage, counts: Storage, distinct: Storage): void {
  const n = x.length;
  if (n === 0) {
    fill(distinct, 0);
    return;
  }
  const t = wgslType(x.dtype);
  const order = temporary(x, 'int32', n);
  topk(x, 1, n, 1, n, false, order);
  // an element starts an entry unless it equals the one before it in sorted order (each NaN is its own)
  const differs = t === 'f32' ? 'isNan(v) || isNan(w) || v != w' : 'v != w';
  const starts = temporary(x, 'bool', n);
  launch(`${HEADER}${binding(1, 'x', t)}${binding(2, 'order', 'u32')}${binding(3, 'starts', 'u32', true)}
${elementwise(`if (i == 0u) { starts[i] = 1u; return; }
  let v = x[order[i]]; let w = x[order[i - 1u]];
  starts[i] = select(0u, 1u, ${differs});`)}`, [n], [x, order, starts], [2], gridFor(n));
  const entries = temporary(x, 'int32', n);
  cumulative('sum', starts, 1, n, 1, entries);
  const first = temporary(x, 'int32', n); // where each entry starts in sorted order
  launch(`${HEADER}${binding(1, 'x', t)}${binding(2, 'order', 'u32')}${binding(3, 'starts', 'u32')}${binding(4, 'entries', 'i32')}
${binding(5, 'values', t, true)}${binding(6, 'inverse', 'i32', true)}${binding(7, 'first', 'i32', true)}
${elementwise(`let e = entries[i] - 1;
  inverse[order[i]] = e;
  if (starts[i] == 1u) { values[e] = x[order[i]]; first[e] = i32(i); }`)}`,
  [n], [x, order, starts, entries, values, inverse, first], [4, 5, 6], gridFor(n));
  launch(`${HEADER}${binding(1, 'entries', 'i32')}${binding(2, 'first', 'i32')}${binding(3, 'counts', 'i32', true)}${binding(4, 'distinct', 'i32', true)}
${elementwise(`let u = u32(entries[P(0) - 1u]);
  if (i == 0u) { distinct[0] = i32(u); }
  if (i >= u) { counts[i] = 0; return; }
  var next = i32(P(0));
  if (i + 1u < u) { next = first[i + 1u]; }
  counts[i] = next - first[i];`)}`, [n], [entries, first, counts, distinct], [2, 3], gridFor(n));
  for (const s of [order, starts, entries, first]) releaseStorage(s);
}
