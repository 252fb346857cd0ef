// Variable-length batches for the recurrent layers, as torch.nn.utils.rnn: a PackedSequence holds only the
// real steps of each sequence, time-major, so that RNN, LSTM and GRU stop each sequence at its own length.
import { Tensor } from '../../tensor/tensor.js';
import { full } from '../../tensor/creation.js';
import { formatShape } from '../../tensor/shape.js';
import { cat, reshape, stack } from '../../ops/shape.js';
import { indexSelect } from '../../ops/indexing.js';

/**
 * Sequences packed time-major, as torch.nn.utils.rnn.PackedSequence: `data` [sum of lengths, *] holds step 0
 * of every sequence, then step 1 of those still running, ...; `batchSizes[t]` is how many sequences have a
 * step t. The sequences are sorted by decreasing length; `sortedIndices` (when the input was not sorted)
 * maps sorted position to original batch index and `unsortedIndices` back.
 */
export class PackedSequence {
  constructor(
    readonly data: Tensor,
    readonly batchSizes: readonly number[],
    readonly sortedIndices: Tensor | null = null,
    readonly unsortedIndices: Tensor | null = null,
  ) {}
}

function lengthsArray(op: string, lengths: Tensor | readonly number[]): number[] {
  const values = lengths instanceof Tensor ? Array.from(lengths.dataSync()) : [...lengths];
  for (const l of values) {
    if (!Number.isInteger(l) || l <= 0) throw new Error(`${op}: lengths must be positive integers (every sequence needs a step), got ${l}`);
  }
  return values;
}

/**
 * Packs a padded batch [T, B, *] (or [B, T, *] with batchFirst) whose sequence b has lengths[b] real steps,
 * as torch.nn.utils.rnn.pack_padded_sequence. With enforceSorted (default) the lengths must be decreasing;
 * otherwise the batch is sorted here and the RNN's states come back in the original order.
 * @example
 * const packed = packPaddedSequence(randn([5, 3, 8]), [5, 2, 3], { enforceSorted: false });
 * const [out, hN] = new GRU(8, 16)(packed);
 * const [padded, lengths] = padPackedSequence(out as PackedSequence); // [5, 3, 16], [5, 2, 3]
 */
export function packPaddedSequence(
  input: Tensor, lengths: Tensor | readonly number[],
  { batchFirst = false, enforceSorted = true }: { batchFirst?: boolean; enforceSorted?: boolean } = {},
): PackedSequence {
  const op = 'packPaddedSequence';
  if (!(input instanceof Tensor) || input.ndim < 2) throw new Error(`${op}: expected a padded input [T, B, *] (or [B, T, *] with batchFirst), got ${input instanceof Tensor ? formatShape(input.shape) : typeof input}`);
  const lens = lengthsArray(op, lengths);
  const [T, B] = batchFirst ? [input.shape[1], input.shape[0]] : [input.shape[0], input.shape[1]];
  if (lens.length !== B) throw new Error(`${op}: expected ${B} lengths (one per sequence of input ${formatShape(input.shape)}), got ${lens.length}`);
  const tooLong = lens.find((l) => l > T);
  if (tooLong !== undefined) throw new Error(`${op}: a length of ${tooLong} is longer than the ${T} steps of input ${formatShape(input.shape)}`);
  let order = lens.map((_, b) => b);
  let sortedIndices: Tensor | null = null;
  let unsortedIndices: Tensor | null = null;
  if (enforceSorted) {
    for (let b = 1; b < B; b++) {
      if (lens[b] > lens[b - 1]) throw new Error(`${op}: lengths must be sorted in decreasing order when enforceSorted is true, got [${lens.join(', ')}] (pass enforceSorted: false to sort them here)`);
    }
  } else {
    order = order.sort((a, b) => lens[b] - lens[a]); // stable: ties keep their order
    const inverse = new Int32Array(B);
    order.forEach((b, i) => (inverse[b] = i));
    sortedIndices = Tensor.fromArray(Int32Array.from(order), [B], 'int32', input.storage.device);
    unsortedIndices = Tensor.fromArray(inverse, [B], 'int32', input.storage.device);
  }
  const sorted = order.map((b) => lens[b]);
  const batchSizes: number[] = [];
  for (let t = 0; t < sorted[0]; t++) batchSizes.push(sorted.filter((l) => l > t).length);
  // one gather of the real steps (time-major) from the rows of the flattened input
  const rows: number[] = [];
  batchSizes.forEach((size, t) => {
    for (let i = 0; i < size; i++) rows.push(batchFirst ? order[i] * T + t : t * B + order[i]);
  });
  const features = input.shape.slice(2);
  const flat = reshape(input, [T * B, ...features]);
  const data = indexSelect(flat, 0, Tensor.fromArray(Int32Array.from(rows), [rows.length], 'int32', input.storage.device));
  return new PackedSequence(data, batchSizes, sortedIndices, unsortedIndices);
}

/**
 * Unpacks to a padded batch [T, B, *] (or [B, T, *] with batchFirst) in the original batch order, and the
 * lengths (int32), as torch.nn.utils.rnn.pad_packed_sequence. totalLength pads to more steps than the longest.
 * @example const [padded, lengths] = padPackedSequence(packed, { batchFirst: true });
 */
export function padPackedSequence(
  sequence: PackedSequence,
  { batchFirst = false, paddingValue = 0, totalLength }: { batchFirst?: boolean; paddingValue?: number; totalLength?: number } = {},
): [Tensor, Tensor] {
  const op = 'padPackedSequence';
  if (!(sequence instanceof PackedSequence)) throw new Error(`${op}: expected a PackedSequence`);
  const { data, batchSizes } = sequence;
  const steps = batchSizes.length;
  const B = batchSizes[0];
  if (totalLength !== undefined && totalLength < steps) {
    throw new Error(`${op}: expected totalLength to be at least the length of the longest sequence (${steps}), got ${totalLength}`);
  }
  const T = totalLength ?? steps;
  const features = data.shape.slice(1);
  const padRow = data.shape[0]; // index of the padding row appended below
  const lengths = new Int32Array(B);
  // position (t, sorted b) -> row of data, or the padding row
  const rowOf = new Int32Array(T * B).fill(padRow);
  let offset = 0;
  batchSizes.forEach((size, t) => {
    for (let i = 0; i < size; i++) {
      rowOf[t * B + i] = offset + i;
      lengths[i] = t + 1;
    }
    offset += size;
  });
  // back to the original batch order
  const unsorted = sequence.unsortedIndices ? (sequence.unsortedIndices.dataSync() as Int32Array) : null;
  const rows = new Int32Array(T * B);
  const outLengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const i = unsorted ? unsorted[b] : b;
    outLengths[b] = lengths[i];
    for (let t = 0; t < T; t++) rows[batchFirst ? b * T + t : t * B + b] = rowOf[t * B + i];
  }
  const withPad = cat([data, full([1, ...features], paddingValue, { dtype: data.dtype, device: data.device })], 0);
  const padded = reshape(indexSelect(withPad, 0, Tensor.fromArray(rows, [rows.length], 'int32', data.storage.device)), batchFirst ? [B, T, ...features] : [T, B, ...features]);
  return [padded, Tensor.fromArray(outLengths, [B], 'int32', data.storage.device)];
}

/**
 * Stacks sequences of different lengths ([L_i, *] each) into [T, B, *] (or [B, T, *]) filled with
 * paddingValue, as torch.nn.utils.rnn.pad_sequence.
 * @example padSequence([randn([3, 4]), randn([1, 4])]).shape // [3, 2, 4]
 */
export function padSequence(sequences: readonly Tensor[], { batchFirst = false, paddingValue = 0 }: { batchFirst?: boolean; paddingValue?: number } = {}): Tensor {
  if (sequences.length === 0) throw new Error('padSequence: expected at least one sequence');
  const T = Math.max(...sequences.map((s) => s.shape[0]));
  const rest = sequences[0].shape.slice(1);
  const padded = sequences.map((s, i) => {
    if (s.ndim < 1 || s.shape.slice(1).some((d, j) => d !== rest[j]) || s.ndim !== rest.length + 1) {
      throw new Error(`padSequence: sequence ${i} has shape ${formatShape(s.shape)}; every sequence must be [L, ${rest.join(', ')}]`);
    }
    const missing = T - s.shape[0];
    return missing === 0 ? s : cat([s, full([missing, ...rest], paddingValue, { dtype: s.dtype, device: s.device })], 0);
  });
  return stack(padded, batchFirst ? 0 : 1);
}

/**
 * Packs a list of sequences ([L_i, *] each), as torch.nn.utils.rnn.pack_sequence.
 * @example const packed = packSequence([randn([4, 8]), randn([2, 8])]);
 */
export function packSequence(sequences: readonly Tensor[], { enforceSorted = true }: { enforceSorted?: boolean } = {}): PackedSequence {
  return packPaddedSequence(padSequence(sequences), sequences.map((s) => s.shape[0]), { enforceSorted });
}
