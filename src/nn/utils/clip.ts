import { Tensor } from '../../tensor/tensor.js';
import { SparseTensor } from '../../tensor/sparse.js';
import { scalar } from '../../tensor/creation.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { norm } from '../../ops/reduce.js';
import { denseEntries } from '../../ops/sparse.js';
import { cat, reshape, stack } from '../../ops/shape.js';
import { add, clamp, div } from '../../ops/elementwise.js';
import { readsSync } from '../../ops/util.js';

type Parameters = Tensor | Iterable<Tensor>;

function gradsOf(parameters: Parameters): Tensor[] {
  const params = parameters instanceof Tensor ? [parameters] : [...parameters];
  return params.flatMap((p) => {
    const g = p.peekGrad();
    return g ? [g] : [];
  });
}

interface ClipGradNormOptions {
  normType?: number;
  /** Throw, scaling nothing, when the total norm is NaN or infinite (PyTorch's error_if_nonfinite). */
  errorIfNonfinite?: boolean;
}

// The total norm of the gradients (all as one vector); a sparse gradient counts with its repeated rows summed (coalesced), as in PyTorch.
function totalNorm(grads: Tensor[], normType: number): Tensor {
  const norms = grads.map((g) => norm(g instanceof SparseTensor ? denseEntries(g) : g.detach(), normType));
  return norms.length === 1 ? norms[0] : norm(stack(norms), normType);
}

function checkFinite(normType: number, value: number): void {
  if (Number.isFinite(value)) return;
  throw new Error(
    `clipGradNorm_: the total norm of order ${normType} for gradients is non-finite (${value}), so it cannot be clipped; ` +
      'pass errorIfNonfinite: false to scale the gradients by the non-finite norm anyway',
  );
}

// Scales by maxNorm / (total + 1e-6), capped at 1: computed here from a value read, else as a tensor on the device.
function scaleGrads(grads: Tensor[], maxNorm: number, total: Tensor, value: number | null): void {
  const coef = value === null ? clamp(div(maxNorm, add(total, 1e-6)), null, 1) : Math.min(maxNorm / (value + 1e-6), 1);
  for (const g of grads) g.mul_(coef);
}

/**
 * Scales the gradients in place so that their joint norm (all gradients as one vector) is at most
 * `maxNorm`, as torch.nn.utils.clip_grad_norm_; returns that total norm, measured before clipping.
 * The scale is maxNorm / (total + 1e-6), capped at 1. Sparse gradients (Embedding({ sparse: true })) count with
 * their repeated rows summed and are scaled too (PyTorch 1.13 measures them but leaves them unscaled).
 * On a device that reads only asynchronously (webgpu) the scale stays a tensor there, as on CUDA; the check of
 * `errorIfNonfinite` needs the norm's value, so there it is `await nn.utils.clipGradNormAsync_(...)`.
 * @example
 * loss.backward();
 * const total = nn.utils.clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm_(parameters: Parameters, maxNorm: number, { normType = 2, errorIfNonfinite = false }: ClipGradNormOptions = {}): Tensor {
  const grads = gradsOf(parameters);
  if (grads.length === 0) return scalar(0);
  return noGrad(() => {
    const total = totalNorm(grads, normType);
    if (!readsSync(total)) {
      if (errorIfNonfinite) {
        throw new Error(`clipGradNorm_: errorIfNonfinite needs the norm's value, which the ${total.device} backend reads only asynchronously: use \`await nn.utils.clipGradNormAsync_(params, maxNorm, { errorIfNonfinite: true })\``);
      }
      scaleGrads(grads, maxNorm, total, null);
      return total;
    }
    const value = total.item();
    if (errorIfNonfinite) checkFinite(normType, value);
    scaleGrads(grads, maxNorm, total, value);
    return total;
  });
}

/**
 * `clipGradNorm_` for every device: the total norm is read with `await` (the one read it costs), so
 * `errorIfNonfinite` throws as in PyTorch (the same error, before any gradient is scaled) on devices that read
 * only asynchronously (webgpu) too. The trainer needs neither: its NaN guard checks the gradient norm it reads anyway.
 * @example
 * loss.backward();
 * const total = await nn.utils.clipGradNormAsync_(model.parameters(), 1.0, { errorIfNonfinite: true });
 * opt.step();
 */
export async function clipGradNormAsync_(parameters: Parameters, maxNorm: number, { normType = 2, errorIfNonfinite = false }: ClipGradNormOptions = {}): Promise<Tensor> {
  const grads = gradsOf(parameters);
  if (grads.length === 0) return scalar(0);
  const total = noGrad(() => totalNorm(grads, normType));
  const value = (await total.data())[0];
  if (errorIfNonfinite) checkFinite(normType, value);
  noGrad(() => scaleGrads(grads, maxNorm, total, value));
  return total;
}

/**
 * Clamps every gradient element into [-clipValue, clipValue] in place, as torch.nn.utils.clip_grad_value_.
 * @example nn.utils.clipGradValue_(model.parameters(), 0.5);
 */
export function clipGradValue_(parameters: Parameters, clipValue: number): void {
  if (!(clipValue >= 0)) throw new Error(`clipGradValue_: clipValue must be >= 0, got ${clipValue}`);
  noGrad(() => {
    for (const g of gradsOf(parameters)) {
      if (g instanceof SparseTensor) throw new Error('clipGradValue_: sparse gradients are not supported (nor in PyTorch); use clipGradNorm_');
      g.clamp_(-clipValue, clipValue);
    }
  });
}

/**
 * All parameters flattened into one vector (a copy), as torch.nn.utils.parameters_to_vector.
 * @example const v = nn.utils.parametersToVector(model.parameters());
 */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const params = [...parameters];
  if (params.length === 0) throw new Error('parametersToVector: expected at least one parameter');
  return noGrad(() => cat(params.map((p) => reshape(p.detach(), [-1]))));
}

/**
 * Copies consecutive slices of `vec` into the parameters, as torch.nn.utils.vector_to_parameters.
 * @example nn.utils.vectorToParameters(v, model.parameters());
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  const params = [...parameters];
  if (vec.ndim !== 1) throw new Error(`vectorToParameters: expected a 1-d vector, got shape [${vec.shape}]`);
  const total = params.reduce((n, p) => n + p.numel, 0);
  if (vec.numel !== total) throw new Error(`vectorToParameters: the vector has ${vec.numel} elements but the parameters have ${total}`);
  noGrad(() => {
    let offset = 0;
    for (const p of params) {
      p.copy_(reshape(vec.detach().slice(0, offset, offset + p.numel), p.shape));
      offset += p.numel;
    }
  });
}
