// Connectionist Temporal Classification (Graves et al. 2006), as torch.nn.functional.ctc_loss: the
// forward-backward algorithm in log space over the targets extended with blanks.
import { Tensor } from '../../tensor/tensor.js';
import { checkedOptions } from '../../tensor/options.js';
import { isFloating } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import { needsGrad, record } from '../../autograd/record.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { div, mul } from '../../ops/elementwise.js';
import { mean, sum } from '../../ops/reduce.js';
import { reshape, unsqueeze } from '../../ops/shape.js';
import { type ReductionOptions, checkFloating, checkReduction, checkTensor } from './loss.js';

export interface CtcLossOptions extends ReductionOptions {
  /** The blank label. Default 0. */
  blank?: number;
  /** Replace infinite losses (targets that cannot be aligned) and their gradients by zero. Default false. */
  zeroInfinity?: boolean;
}

type Lengths = Tensor | readonly number[] | number;

function lengthsOf(op: string, lengths: Lengths, n: number, what: string): number[] {
  let out: number[];
  if (typeof lengths === 'number') out = [lengths];
  else if (lengths instanceof Tensor) {
    if (isFloating(lengths.dtype)) throw new Error(`${op}: ${what} must be integers, got dtype ${lengths.dtype}`);
    out = Array.from(lengths.dataSync());
  } else out = [...lengths];
  if (out.length !== n) throw new Error(`${op}: expected ${what} to have ${n} entries (one per batch element), got ${out.length}`);
  for (const v of out) if (!Number.isInteger(v) || v < 0) throw new Error(`${op}: ${what} must be non-negative integers, got ${v}`);
  return out;
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = a > b ? a : b;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * The CTC negative log likelihood of each batch element and its gradient with respect to the
 * log-probabilities, by the forward-backward algorithm in log space (Graves et al. 2006), as PyTorch's CPU kernel.
 * The gradient is PyTorch's: exp(lp) - exp(log(alpha beta) + nll - lp), which is the true gradient once it
 * flows back through the logSoftmax that produced the log-probabilities.
 */
function ctcForwardBackward(
  logProbs: Float64Array, T: number, N: number, C: number,
  targets: Int32Array[], inputLengths: number[], blank: number, zeroInfinity: boolean,
): { nll: Float64Array; grad: Float64Array } {
  const nll = new Float64Array(N);
  const grad = new Float64Array(T * N * C);
  const rowStride = N * C; // from frame t to frame t + 1 of the same batch element
  for (let n = 0; n < N; n++) {
    const label = targets[n];
    const L = label.length;
    const S = 2 * L + 1;
    const Tn = inputLengths[n];
    // the target extended with blanks: blank, l1, blank, l2, ..., blank
    const ext = new Int32Array(S).fill(blank);
    for (let i = 0; i < L; i++) ext[2 * i + 1] = label[i];
    // a label may skip the blank before it unless it repeats the previous label
    const canSkip = new Uint8Array(S);
    for (let s = 2; s < S; s++) canSkip[s] = ext[s] !== blank && ext[s] !== ext[s - 2] ? 1 : 0;
    const alpha = new Float64Array(Tn * S).fill(-Infinity);
    const beta = new Float64Array(Tn * S).fill(-Infinity);
    const base = n * C;
    if (Tn > 0) {
      alpha[0] = logProbs[base + blank];
      if (L > 0) alpha[1] = logProbs[base + ext[1]];
      for (let t = 1; t < Tn; t++) {
        const row = t * rowStride + base;
        const prev = (t - 1) * S;
        for (let s = 0; s < S; s++) {
          let a = alpha[prev + s];
          if (s > 0) a = logAddExp(a, alpha[prev + s - 1]);
          if (canSkip[s]) a = logAddExp(a, alpha[prev + s - 2]);
          alpha[t * S + s] = a === -Infinity ? -Infinity : a + logProbs[row + ext[s]];
        }
      }
      const last = (Tn - 1) * S;
      nll[n] = -(S > 1 ? logAddExp(alpha[last + S - 1], alpha[last + S - 2]) : alpha[last + S - 1]);
      const lastRow = (Tn - 1) * rowStride + base;
      beta[last + S - 1] = logProbs[lastRow + ext[S - 1]];
      if (S > 1) beta[last + S - 2] = logProbs[lastRow + ext[S - 2]];
      for (let t = Tn - 2; t >= 0; t--) {
        const row = t * rowStride + base;
        const next = (t + 1) * S;
        for (let s = 0; s < S; s++) {
          let b = beta[next + s];
          if (s < S - 1) b = logAddExp(b, beta[next + s + 1]);
          if (s < S - 2 && canSkip[s + 2]) b = logAddExp(b, beta[next + s + 2]);
          beta[t * S + s] = b === -Infinity ? -Infinity : b + logProbs[row + ext[s]];
        }
      }
    } else {
      // no frames: only an empty target has probability 1
      nll[n] = L === 0 ? 0 : Infinity;
    }
    if (zeroInfinity && nll[n] === Infinity) {
      nll[n] = 0;
      continue; // its gradient stays zero
    }
    const occupancy = new Float64Array(C);
    for (let t = 0; t < Tn; t++) {
      occupancy.fill(-Infinity);
      for (let s = 0; s < S; s++) occupancy[ext[s]] = logAddExp(occupancy[ext[s]], alpha[t * S + s] + beta[t * S + s]);
      const row = t * rowStride + base;
      for (let c = 0; c < C; c++) {
        const v = logProbs[row + c];
        grad[row + c] = Math.exp(v) - Math.exp(occupancy[c] + nll[n] - v);
      }
    }
  }
  return { nll, grad };
}

/**
 * Connectionist Temporal Classification loss, as torch.nn.functional.ctc_loss: the negative log
 * probability of each target sequence summed over all its alignments with the input frames.
 * logProbs is [T, N, C] (or [T, C] unbatched) from logSoftmax; targets is int32 [N, S] padded or 1-d
 * concatenated; inputLengths and targetLengths give each element's lengths. reduction 'mean' divides
 * each loss by its target length, then averages over the batch.
 * @example
 * const logProbs = logSoftmax(randn([50, 2, 20], { requiresGrad: true }), 2);
 * const targets = randint(1, 20, [2, 10]);
 * const loss = ctcLoss(logProbs, targets, [50, 45], [10, 7]);
 * loss.backward();
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Lengths,
  targetLengths: Lengths,
  options: CtcLossOptions = {},
): Tensor {
  const { blank = 0, reduction = 'mean', zeroInfinity = false } = checkedOptions('ctcLoss', options, ['blank', 'reduction', 'zeroInfinity']);
  const op = 'ctcLoss';
  checkFloating(op, logProbs, 'logProbs');
  checkTensor(op, targets, 'targets');
  checkReduction(op, reduction);
  if (targets.dtype !== 'int32') throw new Error(`${op}: expected int32 targets, got dtype ${targets.dtype}`);
  const unbatched = logProbs.ndim === 2;
  if (logProbs.ndim !== 3 && !unbatched) throw new Error(`${op}: expected logProbs of shape [T, N, C] or [T, C], got ${formatShape(logProbs.shape)}`);
  const lp3 = unbatched ? unsqueeze(logProbs, 1) : logProbs;
  const [T, N, C] = lp3.shape;
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new Error(`${op}: blank must be in label range [0, ${C}), got ${blank}`);
  const inLens = lengthsOf(op, inputLengths, N, 'inputLengths');
  const tgLens = lengthsOf(op, targetLengths, N, 'targetLengths');
  const tg = unbatched && targets.ndim === 1 ? reshape(targets, [1, targets.shape[0]]) : targets;
  if (tg.ndim !== 1 && !(tg.ndim === 2 && tg.shape[0] === N)) {
    throw new Error(`${op}: expected targets of shape [${N}, S] (padded) or 1-d (concatenated), got ${formatShape(targets.shape)}`);
  }
  const tdata = tg.dataSync() as Int32Array;
  const total = tgLens.reduce((a, b) => a + b, 0);
  if (tg.ndim === 1 && tdata.length < total) {
    throw new Error(`${op}: 1-d targets hold ${tdata.length} labels but targetLengths sum to ${total}`);
  }
  const labels: Int32Array[] = [];
  let offset = 0;
  for (let n = 0; n < N; n++) {
    if (inLens[n] > T) throw new Error(`${op}: expected inputLengths to be at most ${T} (the number of frames), got ${inLens[n]} for batch element ${n}`);
    if (tg.ndim === 2 && tgLens[n] > tg.shape[1]) {
      throw new Error(`${op}: expected targetLengths to be at most ${tg.shape[1]} (the padded target length), got ${tgLens[n]} for batch element ${n}`);
    }
    const start = tg.ndim === 2 ? n * tg.shape[1] : offset;
    const seq = tdata.slice(start, start + tgLens[n]);
    offset += tgLens[n];
    for (const c of seq) {
      if (c < 0 || c >= C || c === blank) throw new Error(`${op}: target label ${c} of batch element ${n} must be in [0, ${C}) and differ from the blank ${blank}`);
    }
    labels.push(seq);
  }
  const { nll, grad } = ctcForwardBackward(Float64Array.from(lp3.dataSync()), T, N, C, labels, inLens, blank, zeroInfinity);
  const dtype = logProbs.dtype;
  const device = lp3.storage.device;
  let losses = Tensor.fromArray(nll, [N], dtype, device);
  if (needsGrad(lp3)) {
    const gradTable = Tensor.fromArray(grad, lp3.shape, dtype, device);
    // PyTorch's CTC backward is itself not differentiable, so neither is this one
    losses = record(losses, 'CtcLossBackward', [lp3], (g) => [noGrad(() => mul(gradTable, reshape(g, [1, N, 1])))]);
  }
  if (reduction === 'mean') {
    const divisors = Tensor.fromArray(Float64Array.from(tgLens, (l) => Math.max(l, 1)), [N], dtype, device);
    return mean(div(losses, divisors));
  }
  if (reduction === 'sum') return sum(losses);
  return unbatched ? reshape(losses, []) : losses;
}
