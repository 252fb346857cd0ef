import { needsGrad, record } from '../autograd/record.js';
import { promoteTypes } from '../tensor/dtype.js';
import { type Shape, broadcastShapes, formatShape, normalizeDim, shapesEqual, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { full, scalar } from '../tensor/creation.js';
import { backendOf, backendOfAll, emptyTensor, zerosTensor } from './util.js';
import { cast, where } from './elementwise.js';
import { sumTo } from './reduce.js';

/**
 * The same elements in a new shape; one dimension may be -1 (inferred). Shares storage with `x`,
 * since descent tensors are always contiguous (so reshape and view are the same).
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(x, shape, 'reshape');
  if (shapesEqual(target, x.shape)) return x;
  const out = x.viewAs(target);
  if (!needsGrad(x)) return out;
  return record(out, 'ReshapeBackward', [x], (g) => [reshape(g, x.shape)]);
}

export const view = reshape;

function inferShape(x: Tensor, shape: readonly number[], op: string): number[] {
  const target = [...shape];
  const unknown = target.indexOf(-1);
  if (target.some((d, i) => !Number.isInteger(d) || (d < 0 && !(d === -1 && i === unknown)))) {
    throw new Error(`${op}: invalid shape ${formatShape(shape)}`);
  }
  if (unknown >= 0) {
    const known = target.reduce((n, d, i) => (i === unknown ? n : n * d), 1);
    if (known === 0 || x.numel % known !== 0) {
      throw new Error(`${op}: shape ${formatShape(shape)} is invalid for input of size ${x.numel} (shape ${formatShape(x.shape)})`);
    }
    target[unknown] = x.numel / known;
  }
  if (sizeOf(target) !== x.numel) {
    throw new Error(`${op}: shape ${formatShape(shape)} is invalid for input of size ${x.numel} (shape ${formatShape(x.shape)})`);
  }
  return target;
}

/** Flattens dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim, 'flatten');
  const e = normalizeDim(endDim, x.ndim, 'flatten');
  if (s > e) throw new Error(`flatten: startDim ${startDim} cannot come after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Splits dim `dim` into `sizes` (one may be -1). */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, x.ndim, 'unflatten');
  if (sizes.some((s) => !Number.isInteger(s) || (s < 0 && s !== -1))) throw new Error(`unflatten: sizes must be non-negative integers or -1, got ${formatShape(sizes)}`);
  const known = sizes.reduce((n, s) => (s === -1 ? n : n * s), 1);
  const filled = sizes.map((s) => (s === -1 ? x.shape[d] / known : s));
  if (sizeOf(filled) !== x.shape[d]) {
    throw new Error(`unflatten: sizes ${formatShape(sizes)} don't multiply up to the size of dim ${dim} (${x.shape[d]}) in shape ${formatShape(x.shape)}`);
  }
  return reshape(x, [...x.shape.slice(0, d), ...filled, ...x.shape.slice(d + 1)]);
}

/** Removes size-1 dims (all of them, or just `dim`). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const dims = (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim(d, x.ndim, 'squeeze'));
  return reshape(x, x.shape.filter((d, i) => !(dims.includes(i) && d === 1)));
}

/** Inserts a size-1 dim at `dim` (which may be -1 for the end). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Reorders dims: out's dim i is x's dim dims[i]. Copies, since storage stays contiguous. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new Error(`permute: number of dims don't match (the tensor has ${x.ndim} dims, got ${dims.length}: ${formatShape(dims)})`);
  }
  const perm = dims.map((d) => normalizeDim(d, x.ndim, 'permute'));
  if (new Set(perm).size !== perm.length) throw new Error(`permute: repeated dim in ${formatShape(dims)}`);
  if (perm.every((p, i) => p === i)) return x;
  const shape = perm.map((p) => x.shape[p]);
  const b = backendOf('permute', x);
  const out = emptyTensor(shape, x.dtype, b);
  b.permute(x.storage, x.shape, perm, out.storage);
  if (!needsGrad(x)) return out;
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return record(out, 'PermuteBackward', [x], (g) => [permute(g, inverse)]);
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim < 2 && dim0 === 0 && dim1 === 1) return x;
  const perm = Array.from({ length: x.ndim }, (_, i) => i);
  const a = normalizeDim(dim0, x.ndim, 'transpose');
  const b = normalizeDim(dim1, x.ndim, 'transpose');
  if (a === b) return x;
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permute(x, perm);
}

/** Transpose of a matrix (a vector is returned as is), like torch's .t(). */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new Error(`t: expects a tensor with <= 2 dimensions, but got ${x.ndim} (shape ${formatShape(x.shape)})`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** Broadcasts to `shape` (-1 keeps a dim), like torch's expand; the result is a copy. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) {
    throw new Error(`expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`);
  }
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  target.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`expand: invalid size ${shape[i]} at dimension ${i} of ${formatShape(shape)} (-1 only keeps an existing dimension) for tensor of shape ${formatShape(x.shape)}`);
    }
  });
  for (let i = 0; i < x.ndim; i++) {
    const from = x.shape[i];
    const to = target[i + lead];
    if (from !== to && from !== 1) {
      throw new Error(`expand: the expanded size of the tensor (${to}) must match the existing size (${from}) at non-singleton dimension ${i + lead}. Target sizes: ${formatShape(shape)}. Tensor sizes: ${formatShape(x.shape)}`);
    }
  }
  if (shapesEqual(target, x.shape)) return x;
  const b = backendOf('expand', x);
  const out = emptyTensor(target, x.dtype, b);
  b.expand(x.storage, x.shape, out.storage, target);
  if (!needsGrad(x)) return out;
  return record(out, 'ExpandBackward', [x], (g) => [sumTo(g, x.shape)]);
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, shape);
}

export function expandAs(x: Tensor, other: Tensor): Tensor {
  return expand(x, other.shape);
}

/** Broadcasts several tensors to their common shape. */
export function broadcastTensors(...tensors: Tensor[]): Tensor[] {
  const shape = tensors.reduce<number[]>((s, t) => broadcastShapes(s, t.shape, 'broadcastTensors'), []);
  return tensors.map((x) => expand(x, shape));
}

/** Storage is always contiguous in descent, so this returns `x` itself. */
export function contiguous(x: Tensor): Tensor {
  return x;
}

/**
 * Elements start, start+step, ... before end along `dim` (Python's x[start:end:step]); negative
 * start/end count from the end and out-of-range bounds are clamped, as in Python slicing.
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  checkNotZeroDim(x, 'slice');
  const d = normalizeDim(dim, x.ndim, 'slice');
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  if (!Number.isInteger(start) || (end !== undefined && !Number.isInteger(end))) {
    throw new Error(`slice: start and end must be integers, got start=${start}, end=${end}`);
  }
  const size = x.shape[d];
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIndex(start);
  const e = end === undefined ? size : clampIndex(end);
  const length = Math.max(0, Math.ceil((e - s) / step));
  return sliceRaw(x, d, s, length, step);
}

function sliceRaw(x: Tensor, d: number, start: number, length: number, step: number): Tensor {
  if (start === 0 && length === x.shape[d] && step === 1) return x;
  const shape = x.shape.slice();
  shape[d] = length;
  const b = backendOf('slice', x);
  const out = emptyTensor(shape, x.dtype, b);
  b.slice(x.storage, x.shape, d, start, length, step, out.storage);
  if (!needsGrad(x)) return out;
  return record(out, 'SliceBackward', [x], (g) => [sliceBackward(g, x.shape, d, start, step)]);
}

// Places g into zeros of `shape` at the sliced positions; differentiable (its own backward is a slice).
function sliceBackward(g: Tensor, shape: Shape, d: number, start: number, step: number): Tensor {
  const b = backendOf('slice', g);
  const out = zerosTensor(shape, g.dtype, b);
  b.sliceAssign(g.storage, g.shape, d, start, step, out.storage, shape);
  if (!needsGrad(g)) return out;
  return record(out, 'SliceBackwardBackward', [g], (gg) => [sliceRaw(gg, d, start, g.shape[d], step)]);
}

function checkNotZeroDim(x: Tensor, op: string): void {
  if (x.ndim === 0) throw new Error(`${op}: cannot be applied to a 0-dim tensor`);
}

/** `length` elements from `start` along `dim`, like torch.narrow. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkNotZeroDim(x, 'narrow');
  const d = normalizeDim(dim, x.ndim, 'narrow');
  const s = start < 0 ? start + x.shape[d] : start;
  if (!Number.isInteger(start)) throw new Error(`narrow: start must be an integer, got ${start}`);
  if (!Number.isInteger(length) || length < 0 || s < 0 || s + length > x.shape[d]) {
    throw new Error(`narrow: start (${start}) + length (${length}) exceeds dimension size (${x.shape[d]}) of dim ${dim}`);
  }
  return sliceRaw(x, d, s, length, 1);
}

/** x[..., index, ...] along `dim`, removing that dim, like torch.select. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkNotZeroDim(x, 'select');
  const d = normalizeDim(dim, x.ndim, 'select');
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new Error(`select: index ${index} out of range for dimension ${dim} with size ${size}`);
  }
  return squeeze(sliceRaw(x, d, index < 0 ? index + size : index, 1, 1), d);
}

/** Joins tensors along an existing dim; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('cat: expected a non-empty list of Tensors');
  // PyTorch skips 1-d empty tensors in cat
  const parts = tensors.filter((x) => !(x.ndim === 1 && x.numel === 0));
  if (parts.length === 0) return tensors[0];
  const ref = parts[0];
  parts.forEach((x) => {
    if (x.ndim === 0) throw new Error(`cat: zero-dimensional tensor (at position ${tensors.indexOf(x)}) cannot be concatenated; use stack`);
  });
  const d = normalizeDim(dim, ref.ndim, 'cat');
  let dtype = ref.dtype;
  parts.forEach((x, i) => {
    dtype = promoteTypes(dtype, x.dtype);
    const same = x.ndim === ref.ndim && x.shape.every((s, j) => j === d || s === ref.shape[j]);
    if (!same) {
      throw new Error(`cat: sizes of tensors must match except in dimension ${dim}: tensor 0 has shape ${formatShape(ref.shape)}, tensor ${i} has shape ${formatShape(x.shape)}`);
    }
  });
  const shape = ref.shape.slice();
  shape[d] = parts.reduce((n, x) => n + x.shape[d], 0);
  const b = backendOfAll('cat', parts);
  const out = emptyTensor(shape, dtype, b);
  let offset = 0;
  const offsets: number[] = [];
  for (const x of parts) {
    offsets.push(offset);
    b.sliceAssign(cast(x, dtype).storage, x.shape, d, offset, 1, out.storage, shape);
    offset += x.shape[d];
  }
  if (!tensors.some((x) => needsGrad(x))) return out;
  // skipped 1-d empty inputs still get their (empty) gradient, as in torch
  return record(out, 'CatBackward', tensors, (g) => {
    let i = 0;
    return tensors.map((x) => {
      if (x.ndim === 1 && x.numel === 0) return x.requiresGrad ? emptyTensor(x.shape, x.dtype, b) : null;
      const offset = offsets[i++];
      return x.requiresGrad ? cast(sliceRaw(g, d, offset, x.shape[d], 1), x.dtype) : null;
    });
  });
}

/** Joins tensors of equal shape along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: expected a non-empty list of Tensors');
  const ref = tensors[0];
  tensors.forEach((x, i) => {
    if (!shapesEqual(x.shape, ref.shape)) {
      throw new Error(`stack: expects each tensor to be equal size, but got ${formatShape(ref.shape)} at entry 0 and ${formatShape(x.shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim(dim, ref.ndim + 1, 'stack');
  return cat(tensors.map((x) => unsqueeze(x, d)), d);
}

/** Splits into pieces of `splitSize` (the last may be smaller) or of the listed sizes, like torch.split. */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  checkNotZeroDim(x, 'split');
  const d = normalizeDim(dim, x.ndim, 'split');
  const size = x.shape[d];
  let sizes: number[];
  if (typeof splitSize === 'number') {
    if (!Number.isInteger(splitSize) || splitSize <= 0) throw new Error(`split: splitSize must be a positive integer, got ${splitSize}`);
    sizes = [];
    for (let s = 0; s < size; s += splitSize) sizes.push(Math.min(splitSize, size - s));
    if (sizes.length === 0) sizes.push(0);
  } else {
    sizes = [...splitSize];
    if (sizes.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`split: split sizes must be non-negative integers, got ${formatShape(sizes)}`);
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size) throw new Error(`split: split sizes ${formatShape(sizes)} sum to ${total}, but dimension ${dim} has size ${size}`);
  }
  let offset = 0;
  return sizes.map((n) => {
    const piece = sliceRaw(x, d, offset, n, 1);
    offset += n;
    return piece;
  });
}

/** Splits into `chunks` pieces of size ceil(n / chunks) (fewer if n is small), like torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkNotZeroDim(x, 'chunk');
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim(dim, x.ndim, 'chunk');
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

/**
 * Pads the last dims: `padding` is [left, right] for the last dim, then [top, bottom] for the one
 * before, and so on, as torch.nn.functional.pad; negative amounts crop. Mode 'constant' fills with `value`.
 */
export function pad(x: Tensor, padding: readonly number[], mode: 'constant' = 'constant', value = 0): Tensor {
  if (mode !== 'constant') throw new Error(`pad: only mode 'constant' is supported, got '${mode}'`);
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new Error(`pad: padding length must be even and at most 2 * ndim (${2 * x.ndim}), got ${padding.length}`);
  }
  let out = x;
  for (let i = 0; i < padding.length / 2; i++) {
    const d = x.ndim - 1 - i;
    const [left, right] = [padding[2 * i], padding[2 * i + 1]];
    if (!Number.isInteger(left) || !Number.isInteger(right)) throw new Error(`pad: padding must be integers, got ${formatShape(padding)}`);
    if (out.shape[d] + left + right < 0) {
      throw new Error(`pad: padding ${formatShape(padding)} makes dimension ${d} of shape ${formatShape(x.shape)} negative (${out.shape[d] + left + right})`);
    }
    if (left < 0) out = narrow(out, d, -left, out.shape[d] + left);
    if (right < 0) out = narrow(out, d, 0, out.shape[d] + right);
    if (left > 0 || right > 0) {
      const side = (n: number) => {
        const s = out.shape.slice();
        s[d] = n;
        return full(s, value, { dtype: out.dtype, device: out.device });
      };
      out = cat([side(Math.max(left, 0)), out, side(Math.max(right, 0))], d);
    }
  }
  return out;
}

/** Tiles the tensor `repeats[i]` times along each dim, like torch's repeat. */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.ndim) {
    throw new Error(`repeat: number of repeat dims (${repeats.length}) can not be smaller than number of tensor dims (${x.ndim})`);
  }
  if (repeats.some((r) => !Number.isInteger(r) || r < 0)) throw new Error(`repeat: repeats must be non-negative integers, got ${formatShape(repeats)}`);
  const shape = [...new Array(repeats.length - x.ndim).fill(1), ...x.shape];
  const interleaved: number[] = [];
  const expanded: number[] = [];
  shape.forEach((s, i) => {
    interleaved.push(1, s);
    expanded.push(repeats[i], s);
  });
  const tiled = expand(reshape(x, interleaved), expanded);
  return reshape(tiled, shape.map((s, i) => s * repeats[i]));
}

function triangleMask(x: Tensor, diagonal: number, lower: boolean, op: string): Tensor {
  if (x.ndim < 2) throw new Error(`${op}: input tensor must have at least 2 dimensions, got shape ${formatShape(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new Error(`${op}: diagonal must be an integer, got ${diagonal}`);
  const [rows, cols] = x.shape.slice(-2);
  const mask = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) mask[i * cols + j] = (lower ? j - i <= diagonal : j - i >= diagonal) ? 1 : 0;
  }
  return Tensor.fromArray(mask, [rows, cols], 'bool', x.storage.device);
}

/** Lower triangle (j - i <= diagonal) of the last two dims; the rest zero. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return where(triangleMask(x, diagonal, true, 'tril'), x, scalar(0, x.dtype, x.storage.device)); // a 0 of x's dtype keeps bool masks bool
}

export function triu(x: Tensor, diagonal = 0): Tensor {
  return where(triangleMask(x, diagonal, false, 'triu'), x, scalar(0, x.dtype, x.storage.device));
}
