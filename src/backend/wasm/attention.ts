// Attention in wasm for float32 (assembly/attention.ts): each thread takes (batch, head) units from a
// shared counter and keeps a head's scores in its own scratch, so neither the scores' transposes nor
// the heads' permutes are ever materialized.
import type { AttentionGeometry } from '../backend.js';
import type { Storage } from '../../tensor/storage.js';
import { arena, getNumThreads, runParallel, runtime } from './state.js';
import { NONE, beginCall, endCall, input, memoryBytes, output, viewOf } from './memory.js';
import { fallback } from './fallback.js';
import { MASK } from './generated/kernels-api.js';
import type { Kernels, Ptr } from './runtime.js';

// Below this many multiply-adds per thread, waking workers costs more than it saves (as matmul).
const MIN_THREAD_WORK = 1 << 18;

const f32 = (...storages: (Storage | null)[]) => storages.every((s) => s === null || s.dtype === 'float32');
const read = (s: Storage | null): Ptr => (s ? input(s) : NONE);

type Strides = [number, number, number, number];

function geometryArgs(g: AttentionGeometry): [number, number, number, number, number, number, ...Strides, ...Strides, ...Strides, ...Strides] {
  return [g.batch, g.heads, g.queries, g.keys, g.headDim, g.valueDim, ...g.q, ...g.k, ...g.v, ...g.out] as never;
}

/** Threads for the heads of `g`: one unless the work pays for waking workers (and `disjoint` heads may run apart). */
function threadCount(g: AttentionGeometry, disjoint: boolean): number {
  const units = g.batch * g.heads;
  const work = units * g.queries * g.keys * (g.headDim + g.valueDim);
  return disjoint ? Math.max(1, Math.min(getNumThreads(), units, Math.floor(work / MIN_THREAD_WORK))) : 1;
}

/** Per-thread scratch and a zeroed counter in the call's arena. */
function threadScratch(g: AttentionGeometry, threads: number): [Ptr, Ptr[]] {
  const counter = arena!.allocBytes(4);
  const floats = runtime!.kernels.attentionScratchFloats(g.queries, g.keys, g.headDim, g.valueDim);
  const scratch = Array.from({ length: threads }, () => arena!.alloc(floats));
  memoryBytes().fill(0, counter, counter + 4);
  return [counter, scratch];
}

/**
 * Whether a bool mask is exactly the causal one ([L, L], the same for every batch and head: key j left out
 * of query i when j > i), as TransformerEncoderLayer's srcMask usually is: the kernel then runs causal,
 * which skips the keys after each block of queries instead of reading the mask.
 */
function isCausalMask(mask: Storage, g: AttentionGeometry): boolean {
  const L = g.queries;
  if (mask.dtype !== 'bool' || !g.mask || g.mask[0] !== 0 || g.mask[1] !== 0 || g.mask[2] !== L || g.keys !== L || mask.length !== L * L) return false;
  const bytes = viewOf(mask);
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      const leftOut = (bytes[i * L + j] !== 0) !== g.maskKeeps;
      if (leftOut !== j > i) return false;
    }
  }
  return true;
}

export function attention(
  q: Storage, k: Storage, v: Storage, mask: Storage | null, dropout: Storage | null,
  g: AttentionGeometry, out: Storage, weights: Storage,
): void {
  if (mask !== null && isCausalMask(mask, g)) {
    g = { ...g, causal: true, mask: null };
    mask = null;
  }
  const maskFloat = mask !== null && mask.dtype === 'float32';
  if (!f32(q, k, v, dropout, out, weights) || (mask !== null && !maskFloat && mask.dtype !== 'bool') || weights.length === 0) {
    fallback.attention(q, k, v, mask, dropout, g, out, weights);
    return;
  }
  const maskMode = mask === null || g.mask === null ? MASK.none : maskFloat ? MASK.add : g.maskKeeps ? MASK.keep : MASK.forbid;
  const [mB, mH, mR] = g.mask ?? [0, 0, 0];
  beginCall();
  const operands = [input(q), input(k), input(v), maskMode === MASK.none ? NONE : input(mask!), read(dropout), output(out), output(weights)] as const;
  const threads = threadCount(g, true);
  const [counter, scratch] = threadScratch(g, threads);
  const lists: Parameters<Kernels['attentionForward']>[] = scratch.map((s) => [
    ...operands, ...geometryArgs(g), mB, mH, mR, maskMode, g.causal, Math.sqrt(g.headDim), counter, s,
  ]);
  runParallel('attentionForward', lists);
  endCall();
}

export function attentionBackward(
  q: Storage, k: Storage, v: Storage, weights: Storage, dropout: Storage | null,
  gradOut: Storage | null, gradWeights: Storage | null, g: AttentionGeometry,
  gradQ: Storage, gradK: Storage, gradV: Storage,
): void {
  if (!f32(q, k, v, weights, dropout, gradOut, gradWeights, gradQ, gradK, gradV) || weights.length === 0) {
    fallback.attentionBackward(q, k, v, weights, dropout, gradOut, gradWeights, g, gradQ, gradK, gradV);
    return;
  }
  beginCall();
  const operands = [input(q), input(k), input(v), input(weights), read(dropout), read(gradOut), read(gradWeights),
    output(gradQ), output(gradK), output(gradV)] as const;
  // heads write their own rows of the gradients unless an operand is shared across batches or heads
  const disjoint = [g.q, g.k, g.v].every((s) => (g.batch === 1 || s[1] !== 0) && (g.heads === 1 || s[2] !== 0));
  const threads = threadCount(g, disjoint);
  const [counter, scratch] = threadScratch(g, threads);
  const lists: Parameters<Kernels['attentionBackward']>[] = scratch.map((s) => [
    ...operands, ...geometryArgs(g), g.causal, Math.sqrt(g.headDim), counter, s,
  ]);
  runParallel('attentionBackward', lists);
  endCall();
}
