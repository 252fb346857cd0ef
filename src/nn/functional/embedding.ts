import { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { eq, where } from '../../ops/elementwise.js';
import { checkIndexRange, indexSelect } from '../../ops/indexing.js';
import { reshape, unsqueeze } from '../../ops/shape.js';
import { backendOf, detach } from '../../ops/util.js';
import { indexSelectSparseGrad } from '../../ops/sparse.js';
import { checkKnownOptions, optionKeys } from '../../tensor/options.js';

export interface EmbeddingOptions {
  /** Rows at this index get no gradient (and Embedding initializes that row to zeros). */
  paddingIdx?: number | null;
  /** Rows looked up are first renormalized in place to this maximum norm, as PyTorch's max_norm. */
  maxNorm?: number | null;
  /** The p of the norm for maxNorm. Default 2. */
  normType?: number;
  /**
   * The gradient of `weight` is a SparseTensor holding only the looked-up rows (indices + values), as
   * PyTorch's sparse=True: for large tables with SGD or optim.SparseAdam. Default false.
   */
  sparse?: boolean;
}

export const EMBEDDING_OPTIONS = optionKeys<EmbeddingOptions>({ paddingIdx: true, maxNorm: true, normType: true, sparse: true });

/**
 * Looks up rows of `weight` [num, dim] for int32 indices of any shape: output [*input.shape, dim], as
 * torch.nn.functional.embedding.
 * @example embedding(tensor([[1, 2]], { dtype: 'int32' }), randn([10, 3])).shape // [1, 2, 3]
 */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}, name = 'embedding'): Tensor {
  checkKnownOptions(name, options, EMBEDDING_OPTIONS);
  if (weight.ndim !== 2) throw new Error(`${name}: weight must be 2-d [numEmbeddings, dim], got ${formatShape(weight.shape)}`);
  if (input.dtype !== 'int32') throw new Error(`${name}: expected int32 indices, got dtype ${input.dtype}`);
  const [num, dim] = weight.shape;
  checkIndexRange(backendOf(name, weight, input), input, num, (bad) => `${name}: index ${bad} is out of range for an embedding with ${num} rows`);
  let paddingIdx = options.paddingIdx ?? null;
  if (paddingIdx !== null) {
    if (!Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) throw new Error(`${name}: paddingIdx must be within [-${num}, ${num}), got ${paddingIdx}`);
    if (paddingIdx < 0) paddingIdx += num;
  }
  if (options.maxNorm != null) renorm(weight, input, options.maxNorm, options.normType ?? 2);
  const flat = reshape(input, [input.numel]);
  if (options.sparse) return reshape(indexSelectSparseGrad(weight, flat, paddingIdx), [...input.shape, dim]);
  let rows = indexSelect(weight, 0, flat);
  if (paddingIdx !== null && rows.requiresGrad) {
    // padding positions take the detached row: same value, no gradient into weight[paddingIdx]
    rows = where(unsqueeze(eq(flat, paddingIdx), 1), detach(rows), rows);
  }
  return reshape(rows, [...input.shape, dim]);
}

// weight[i] *= maxNorm / (norm + 1e-7) for each looked-up row whose norm exceeds maxNorm (torch's embedding_renorm_).
function renorm(weight: Tensor, indices: Tensor, maxNorm: number, p: number): void {
  backendOf('embedding', weight, indices).renormRows(weight.storage, weight.shape[1], indices.storage, maxNorm, p);
  weight.version++;
}
