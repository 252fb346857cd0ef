// Sampling ops: multinomial, bernoulli, and the *Like creators. Draws come from the Generator in PyTorch's
// CPU order (torch built without MKL, as Debian's), so a seeded stream samples what torch samples.
import { type DType, isFloating } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { type RandomOptions, rand, randint, randn, tensor } from '../tensor/creation.js';
import { backendOf, checkValues, emptyTensor } from './util.js';
import { cast, div, ge, isfinite, le, log, logicalAnd, logicalNot, logicalOr, lt, ne, neg, sub } from './elementwise.js';
import { all, any, argmax, sum } from './reduce.js';
import { topk } from './sort.js';

/**
 * `numSamples` category indices (int32) drawn from each row of non-negative weights `probs` ([n] or
 * [rows, n], need not sum to 1), as torch.multinomial: without replacement each row gives distinct
 * categories; with it, independent draws. Same draws as torch for the same seed.
 * @example
 * manualSeed(0);
 * const next = multinomial(logits.div(temperature).softmax(-1), 1); // one token per row
 */
export function multinomial(probs: Tensor, numSamples: number, replacement = false, generator: Generator = defaultGenerator): Tensor {
  const op = 'multinomial';
  if (!(probs instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor of probabilities, got ${typeof probs}`);
  if (!isFloating(probs.dtype)) throw new Error(`${op}: probabilities must be floating point, got dtype ${probs.dtype}`);
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new Error(`${op}: probs must be 1-d [n] or 2-d [rows, n], got ${formatShape(probs.shape)}`);
  const n = probs.shape[probs.ndim - 1];
  if (n === 0) throw new Error(`${op}: probs has no categories (shape ${formatShape(probs.shape)})`);
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new Error(`${op}: numSamples must be a positive integer, got ${numSamples}`);
  if (!replacement && numSamples > n) throw new Error(`${op}: cannot draw ${numSamples} samples without replacement from ${n} categories`);
  // checked now, or on a GPU at its next read (checkValues)
  const invalid = logicalOr(logicalNot(all(isfinite(probs))), any(lt(probs, 0)));
  const emptyRow = any(le(sum(probs, -1), 0));
  const tooFew = replacement ? [] : [any(lt(sum(ne(probs, 0), -1), numSamples))];
  checkValues([invalid, emptyRow, ...tooFew], ([inf, empty, few]) => (
    inf[0] ? `${op}: probabilities contain inf, nan or an element < 0`
      : empty[0] ? `${op}: invalid distribution: a row of probabilities sums to 0`
        // torch would fill up with categories of probability 0; a clear error is kinder
        : few?.[0] ? `${op}: cannot draw ${numSamples} samples without replacement from a row with fewer non-zero probabilities` : null));
  // a device without float64 (webgpu) gets the draws from the CPU, so it samples what the CPU samples
  const float64 = probs.storage.device.float64 !== false;
  const device = float64 ? probs.device : 'js';
  if (!replacement) {
    // torch's way: argmax (or top k) of p / q with q ~ Exp(1), q = -log(1 - u) from double uniforms
    const u = rand(probs.shape, { dtype: 'float64', generator, device });
    const q = cast(neg(log(sub(1, u))), probs.dtype);
    const scores = div(probs, float64 ? q : q.to(probs.device));
    return numSamples === 1 ? argmax(scores, -1, true) : topk(scores, numSamples).indices;
  }
  const rows = probs.ndim === 1 ? 1 : probs.shape[0];
  const draws = rand([rows, numSamples], { dtype: 'float64', generator, device });
  const uniforms = float64 ? draws : tensor(Float32Array.from(draws.dataSync(), roundUpToFloat32), { shape: draws.shape, device: probs.device });
  const b = backendOf(op, probs, uniforms);
  const out = emptyTensor(probs.ndim === 1 ? [numSamples] : [rows, numSamples], 'int32', b);
  b.sampleCategorical(probs.storage, rows, n, uniforms.storage, numSamples, out.storage);
  return out;
}

const roundBits = new Float32Array(1);
const roundWords = new Uint32Array(roundBits.buffer);
/** The least float32 >= u (u in [0, 1)): c < u exactly when c < that, for every float32 c. */
function roundUpToFloat32(u: number): number {
  roundBits[0] = u;
  if (roundBits[0] < u) roundWords[0]++;
  return roundBits[0];
}

/**
 * 0/1 draws with probability p, as torch.bernoulli: per element from `input`'s values, or with the one
 * probability `p` when given. The result has input's (floating) dtype.
 * @example const binarized = bernoulli(images); // pixels in [0, 1] as coin flips
 */
export function bernoulli(input: Tensor, p?: number, generator: Generator = defaultGenerator): Tensor {
  if (!(input instanceof Tensor) || !isFloating(input.dtype)) throw new Error(`bernoulli: expected a floating point tensor, got ${input instanceof Tensor ? input.dtype : typeof input}`);
  if (p !== undefined) {
    if (!(p >= 0 && p <= 1)) throw new Error(`bernoulli: p must be in [0, 1], got ${p}`);
    // a device without float64 (webgpu) gets the coin flips from the CPU
    const float64 = input.storage.device.float64 !== false;
    const flips = lt(rand(input.shape, { dtype: 'float64', generator, device: float64 ? input.device : 'js' }), p);
    return cast(float64 ? flips : flips.to(input.device), input.dtype);
  }
  const outside = logicalNot(all(logicalAnd(ge(input, 0), le(input, 1)))); // NaN too
  checkValues([outside], ([bad]) => (bad[0] ? 'bernoulli: the probabilities must be in [0, 1]' : null));
  // torch draws in the input's precision: 24-bit uniforms for float32, 53-bit for float64
  return cast(lt(rand(input.shape, { dtype: input.dtype, generator, device: input.device }), input), input.dtype);
}

type LikeOptions = RandomOptions & { dtype?: DType };

/** Uniform [0, 1) samples of `t`'s shape and dtype, as torch.rand_like. @example const noise = randLike(x); */
export function randLike(t: Tensor, options: LikeOptions = {}): Tensor {
  return rand(t.shape, { dtype: t.dtype, device: t.device, ...options });
}

/** Standard normal samples of `t`'s shape and dtype, as torch.randn_like. @example const eps = randnLike(std); // VAE reparameterization */
export function randnLike(t: Tensor, options: LikeOptions = {}): Tensor {
  return randn(t.shape, { dtype: t.dtype, device: t.device, ...options });
}

/**
 * Integers in [low, high) of `t`'s shape and dtype, as torch.randint_like; randintLike(t, high) draws from [0, high).
 * @example randintLike(labels, 10)
 */
export function randintLike(t: Tensor, low: number, high?: number, options: LikeOptions = {}): Tensor {
  const like = { dtype: t.dtype, device: t.device, ...options };
  return high === undefined ? randint(0, low, t.shape, like) : randint(low, high, t.shape, like);
}
