import { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { indexSelect } from '../../ops/indexing.js';
import { pad as constantPad } from '../../ops/shape.js';

export type PaddingMode = 'constant' | 'reflect' | 'replicate' | 'circular';

// Where padded position i (from -left to size + right - 1) reads from, for each mode.
const SOURCE: Record<Exclude<PaddingMode, 'constant'>, (i: number, size: number) => number> = {
  reflect: (i, size) => (i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i),
  replicate: (i, size) => Math.min(Math.max(i, 0), size - 1),
  circular: (i, size) => ((i % size) + size) % size,
};

/**
 * Pads the last dims as torch.nn.functional.pad: `padding` is [left, right] for the last dim, then [top,
 * bottom] for the one before, and so on. Modes: 'constant' (with `value`), 'reflect' (mirror without
 * repeating the edge), 'replicate' (repeat the edge) and 'circular' (wrap around). The non-constant modes
 * are gathers, so their gradients add up where an element was copied several times.
 * @example pad(tensor([[1, 2, 3]]), [2, 1], 'reflect') // [[3, 2, 1, 2, 3, 2]]
 */
export function pad(input: Tensor, padding: readonly number[], mode: PaddingMode = 'constant', value = 0): Tensor {
  if (mode === 'constant') return constantPad(input, padding, 'constant', value);
  const source = SOURCE[mode];
  if (!source) throw new Error(`pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got '${String(mode)}'`);
  if (padding.length % 2 !== 0 || padding.length / 2 > input.ndim) {
    throw new Error(`pad: padding length must be even and at most 2 * ndim (${2 * input.ndim}), got ${padding.length}`);
  }
  let out = input;
  for (let i = 0; i < padding.length / 2; i++) {
    const d = input.ndim - 1 - i;
    const [left, right] = [padding[2 * i], padding[2 * i + 1]];
    const size = input.shape[d];
    if (!Number.isInteger(left) || !Number.isInteger(right) || left < 0 || right < 0) {
      throw new Error(`pad: ${mode} padding must be non-negative integers, got ${formatShape(padding)}`);
    }
    const limit = mode === 'reflect' ? size - 1 : mode === 'circular' ? size : Infinity;
    if (left > limit || right > limit || size === 0) {
      throw new Error(`pad: ${mode} padding (${left}, ${right}) of dim ${d} must be ${mode === 'reflect' ? 'smaller than' : 'at most'} its size ${size} (input ${formatShape(input.shape)})`);
    }
    if (left === 0 && right === 0) continue;
    const index = new Int32Array(size + left + right);
    for (let j = 0; j < index.length; j++) index[j] = source(j - left, size);
    out = indexSelect(out, d, Tensor.fromArray(index, [index.length], 'int32', input.storage.device));
  }
  return out;
}
