// The short-time Fourier transform as torch.stft (real output [..., freq, frames, 2]) and its windows.
// The DFT is a matrix product with cosine and sine bases, so it runs on the backend's GEMM and is differentiable.
import { Tensor } from '../tensor/tensor.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { checkedOptions, optionKeys } from '../tensor/options.js';
import { tensor } from '../tensor/creation.js';
import { add, mul, pow, sqrt } from '../ops/elementwise.js';
import { matmul } from '../ops/linalg.js';
import { indexSelect } from '../ops/indexing.js';
import { pad as constantPad, reshape, select, stack, transpose, unsqueeze } from '../ops/shape.js';
import { pad } from '../nn/functional/padding.js';

/** Options of windows, as torch.hann_window's. */
export interface WindowOptions {
  /** Periodic (for spectral analysis: the window of length n + 1 without its last point) or symmetric. Default true. */
  periodic?: boolean;
  dtype?: DType;
}

// w[k] = alpha - beta cos(2 pi k / (N - 1)), N = n + 1 when periodic, computed in double then rounded once
function cosineWindow(op: string, n: number, alpha: number, beta: number, options: WindowOptions): Tensor {
  const { periodic = true, dtype = 'float32' } = checkedOptions(op, options, ['periodic', 'dtype']);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${op}: window length must be a non-negative integer, got ${n}`);
  if (!isFloating(dtype)) throw new Error(`${op}: dtype must be floating point, got ${dtype}`);
  if (n === 1) return tensor([1], { dtype });
  const N = periodic ? n + 1 : n;
  return tensor(Array.from({ length: n }, (_, k) => alpha - beta * Math.cos((2 * Math.PI * k) / (N - 1))), { dtype });
}

/** The Hann window, as torch.hann_window. @example hannWindow(400) */
export function hannWindow(n: number, options: WindowOptions = {}): Tensor {
  return cosineWindow('hannWindow', n, 0.5, 0.5, options);
}

/** The Hamming window, as torch.hamming_window (alpha 0.54, beta 0.46). @example hammingWindow(256) */
export function hammingWindow(n: number, options: WindowOptions = {}): Tensor {
  return cosineWindow('hammingWindow', n, 0.54, 0.46, options);
}

export interface StftOptions {
  /** Samples between frames. Default floor(nFft / 4). */
  hopLength?: number;
  /** Length of the window, centered in nFft when shorter. Default nFft. */
  winLength?: number;
  /** [winLength] (e.g. hannWindow(winLength)). Default: ones (a rectangular window, torch's default). */
  window?: Tensor | null;
  /** Pad nFft / 2 on both sides, so frame t is centered on sample t * hopLength. Default true. */
  center?: boolean;
  /** How `center` pads: 'reflect' (default), 'constant', 'replicate' or 'circular'. */
  padMode?: 'reflect' | 'constant' | 'replicate' | 'circular';
  /** Multiply by 1 / sqrt(nFft). Default false. */
  normalized?: boolean;
  /** Only the nFft / 2 + 1 non-negative frequencies. Default true. */
  onesided?: boolean;
}

const STFT_OPTIONS = optionKeys<StftOptions>({ hopLength: true, winLength: true, window: true, center: true, padMode: true, normalized: true, onesided: true });

// cos and -sin of 2 pi f k / nFft as [nFft, freqs] matrices in `dtype`
function dftBases(nFft: number, freqs: number, dtype: DType): [Tensor, Tensor] {
  const cos = new Float64Array(nFft * freqs);
  const sin = new Float64Array(nFft * freqs);
  for (let k = 0; k < nFft; k++) {
    for (let f = 0; f < freqs; f++) {
      const angle = (2 * Math.PI * ((k * f) % nFft)) / nFft; // reduced mod nFft first: exact angles for large k * f
      cos[k * freqs + f] = Math.cos(angle);
      sin[k * freqs + f] = -Math.sin(angle);
    }
  }
  return [tensor(cos, { shape: [nFft, freqs], dtype }), tensor(sin, { shape: [nFft, freqs], dtype })];
}

/**
 * The short-time Fourier transform of a signal [L] or a batch [B, L], as torch.stft(..., return_complex=False):
 * X[f, t] = sum_k window[k] x[t * hop + k] exp(-2 pi i f k / nFft), returned as [(B,) freqs, frames, 2]
 * (real, imaginary). Differentiable.
 * @example
 * const spec = stft(waveform, 256, { hopLength: 64, window: hannWindow(256) }); // [129, frames, 2]
 * const power = spec.pow(2).sum(-1); // |X|²
 */
export function stft(input: Tensor, nFft: number, options: StftOptions = {}): Tensor {
  const op = 'stft';
  const { hopLength = Math.floor(nFft / 4), winLength = nFft, window = null, center = true, padMode = 'reflect', normalized = false, onesided = true } = checkedOptions(op, options, STFT_OPTIONS);
  if (!(input instanceof Tensor) || !isFloating(input.dtype) || (input.ndim !== 1 && input.ndim !== 2)) {
    throw new Error(`${op}: expected a floating point signal [L] or batch [B, L], got ${input instanceof Tensor ? `${input.dtype} ${formatShape(input.shape)}` : typeof input}`);
  }
  if (!Number.isInteger(nFft) || nFft < 1) throw new Error(`${op}: nFft must be a positive integer, got ${nFft}`);
  if (!Number.isInteger(hopLength) || hopLength < 1) throw new Error(`${op}: hopLength must be a positive integer, got ${hopLength}`);
  if (!Number.isInteger(winLength) || winLength < 1 || winLength > nFft) throw new Error(`${op}: winLength must be an integer in [1, nFft = ${nFft}], got ${winLength}`);
  if (window !== null && (!(window instanceof Tensor) || window.ndim !== 1 || window.shape[0] !== winLength)) {
    throw new Error(`${op}: window must be a 1-d tensor of winLength = ${winLength} values, got ${window instanceof Tensor ? formatShape(window.shape) : typeof window}`);
  }
  const batched = input.ndim === 2 ? input : unsqueeze(input, 0);
  const half = Math.floor(nFft / 2);
  const signal = !center ? batched : padMode === 'constant' ? constantPad(batched, [half, half]) : pad(batched, [half, half], padMode);
  const length = signal.shape[1];
  if (length < nFft) throw new Error(`${op}: the signal (${length} samples${center ? ' after padding' : ''}) is shorter than nFft = ${nFft}`);
  const frames = 1 + Math.floor((length - nFft) / hopLength);
  // frames as one gather: [B, frames * nFft] -> [B, frames, nFft]
  const positions = new Int32Array(frames * nFft);
  for (let t = 0; t < frames; t++) for (let k = 0; k < nFft; k++) positions[t * nFft + k] = t * hopLength + k;
  let windowed = reshape(indexSelect(signal, 1, Tensor.fromArray(positions, [positions.length], 'int32', signal.storage.device)), [signal.shape[0], frames, nFft]);
  if (window !== null || winLength < nFft) {
    // a shorter window sits in the middle of the frame, zeros around it, as torch
    const left = Math.floor((nFft - winLength) / 2);
    const w = constantPad(window ?? tensor(new Float64Array(winLength).fill(1), { dtype: input.dtype }), [left, nFft - winLength - left]);
    windowed = mul(windowed, w);
  }
  const freqs = onesided ? half + 1 : nFft;
  const [cos, sin] = dftBases(nFft, freqs, windowed.dtype);
  let out = stack([transpose(matmul(windowed, cos), 1, 2), transpose(matmul(windowed, sin), 1, 2)], -1); // [B, freqs, frames, 2]
  if (normalized) out = mul(out, 1 / Math.sqrt(nFft));
  return input.ndim === 2 ? out : select(out, 0, 0);
}

/**
 * |X| of a real STFT [..., 2] (or |X|^power), as torch.abs of the complex STFT.
 * @example const magnitude = stftMagnitude(stft(x, 256));
 */
export function stftMagnitude(spec: Tensor, power = 1): Tensor {
  if (!(spec instanceof Tensor) || spec.ndim < 1 || spec.shape[spec.ndim - 1] !== 2) throw new Error(`stftMagnitude: expected a real STFT [..., 2], got ${spec instanceof Tensor ? formatShape(spec.shape) : typeof spec}`);
  const squared = add(pow(select(spec, -1, 0), 2), pow(select(spec, -1, 1), 2));
  return power === 2 ? squared : power === 1 ? sqrt(squared) : pow(sqrt(squared), power);
}

