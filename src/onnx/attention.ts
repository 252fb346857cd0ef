// MultiheadAttention as ONNX ops, step for step as descent computes it (nn/layers/attention.ts): projections
// sliced from the packed in_proj_weight, heads by Reshape and Transpose, softmax(q kᵀ / sqrt(d) + mask) v,
// the output projection, and the weights averaged over heads when asked.
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import * as nn from '../nn/index.js';
import { attr } from './graph.js';
import type { Emit } from './emit.js';
import { type ModuleEmitter, attend, causalMask } from './layers.js';
import { padValue } from './ops.js';

interface Mask {
  value: string;
  rank: number;
}

// A mask to add to the scores: bool true (forbidden) becomes -inf, a float mask is added as it is.
function additive(e: Emit, mask: Tensor, type: DType): string {
  if (mask.dtype === 'bool') return e.op('Where', [e.value(mask), e.scalar(-Infinity, type), e.scalar(0, type)]);
  return e.value(mask, type);
}

const mha: ModuleEmitter = (e, m, args, out) => {
  const a = m as nn.MultiheadAttention;
  const [query, key, value, options = {}] = args as [Tensor, Tensor, Tensor, nn.MultiheadAttentionForwardOptions?];
  const { keyPaddingMask = null, needWeights = true, averageAttnWeights = true, isCausal = false } = options;
  const E = a.embedDim;
  const H = a.numHeads;
  const d = a.headDim;
  const type = query.dtype;
  const batched = query.ndim === 3;
  const seqFirst = (t: Tensor) => (!batched ? e.unsqueeze(e.value(t), [1]) : a.batchFirst ? e.transpose(e.value(t), [1, 0, 2]) : e.value(t));
  const lengthOf = (t: Tensor) => (!batched ? t.shape[0] : a.batchFirst ? t.shape[1] : t.shape[0]);
  const L = lengthOf(query);
  const S = lengthOf(key);
  const N = !batched ? 1 : a.batchFirst ? query.shape[0] : query.shape[1];

  let mask: Mask | null = null;
  if (options.attnMask) {
    const additiveMask = additive(e, options.attnMask, type);
    mask = options.attnMask.ndim === 2 ? { value: additiveMask, rank: 2 } : { value: e.reshape(additiveMask, [N, H, L, S]), rank: 4 };
  } else if (isCausal) mask = { value: causalMask(e, L, S, type), rank: 2 };
  if (keyPaddingMask) {
    const padding = e.reshape(additive(e, keyPaddingMask, type), [N, 1, 1, S]);
    mask = { value: mask ? e.op('Add', [mask.value, padding]) : padding, rank: 4 };
  }

  const projection = (index: number, x: string) => {
    const weight = a.inProjWeight ? e.slice(e.value(a.inProjWeight), [index * E], [(index + 1) * E], [0]) : e.value([a.qProjWeight, a.kProjWeight, a.vProjWeight][index]!);
    const bias = a.inProjBias ? e.slice(e.value(a.inProjBias), [index * E], [(index + 1) * E], [0]) : null;
    return e.linear(x, 3, weight, bias);
  };
  let k = projection(1, seqFirst(key));
  let v = projection(2, seqFirst(value));
  // extra key/value positions every query may attend to
  const extra: [string, string][] = [];
  if (a.biasK && a.biasV) extra.push([e.op('Expand', [e.value(a.biasK), e.ints([1, N, E])]), e.op('Expand', [e.value(a.biasV), e.ints([1, N, E])])]);
  if (a.addZeroAttn) {
    const zeros = e.constant(new Array(N * E).fill(0), [1, N, E], type);
    extra.push([zeros, zeros]);
  }
  for (const [bk, bv] of extra) {
    k = e.op('Concat', [k, bk], { axis: attr.int(0) });
    v = e.op('Concat', [v, bv], { axis: attr.int(0) });
    if (mask) mask = { value: padValue(e, mask.value, mask.rank, [0, 1], 'constant', e.scalar(0, type)), rank: mask.rank };
  }
  const keys = S + extra.length;

  const heads = (t: string, len: number) => e.transpose(e.reshape(t, [len, N, H, d]), [1, 2, 0, 3]); // [N, H, len, d]
  const q = heads(projection(0, seqFirst(query)), L);
  const [attended, weights] = attend(e, q, heads(k, keys), heads(v, keys), d, 4, mask?.value ?? null, type);
  const merged = e.reshape(e.transpose(attended, [2, 0, 1, 3]), [L, N, E]);
  const output = e.linear(merged, 3, e.value(a.outProj.weight), a.outProj.bias ? e.value(a.outProj.bias) : null);
  const [outTensor, weightsTensor] = out as [Tensor, Tensor | null];
  e.bind(outTensor, !batched ? e.squeeze(output, [1]) : a.batchFirst ? e.transpose(output, [1, 0, 2]) : output);
  if (!needWeights || !weightsTensor) return;
  let w = averageAttnWeights ? e.reduce('ReduceMean', weights, [1], false) : weights;
  if (!batched) w = e.squeeze(w, [0]);
  e.bind(weightsTensor, w);
};

export const ATTENTION_LAYERS = new Map<unknown, ModuleEmitter>([[nn.MultiheadAttention.prototype.forward, mha]]);
