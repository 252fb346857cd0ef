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

/**
 * Scales the gradients in place so that their joint norm (all gradients as one vector) is at most
 * `maxNorm`, as torch.nn.utils.clip_grad_norm_; returns that total norm, measured before clipping.
 * The scale is maxNorm / (total + 1e-6), capped at 1. Sparse gradients (Embedding({ sparse: true })) count with
 * their repeated rows summed and are scaled too (PyTorch 1.13 measures them but leaves them unscaled).
 * @example
 * loss.backward();
 * const total = nn.utils.clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm_(
  parameters: Parameters,
  maxNorm: number,
  { normType = 2, errorIfNonfinite = false }: { normType?: number; errorIfNonfinite?: boolean } = {},
): Tensor {
  const grads = gradsOf(parameters);
  if (grads.length === 0) return scalar(0);
  return noGrad(() => {
    // a sparse gradient counts with its repeated rows summed (coalesced), as in PyTorch
    const norms = grads.map((g) => norm(g instanceof SparseTensor ? denseEntries(g) : g.detach(), normType));
    const total = norms.length === 1 ? norms[0] : norm(stack(norms), normType);
    if (!readsSync(total)) {
      // a device that reads only asynchronously (webgpu): the scale stays a tensor on it, as in PyTorch
      if (errorIfNonfinite) throw new Error(`clipGradNorm_: errorIfNonfinite reads the norm synchronously, which the ${total.device} backend cannot; check \`await total.data()\` yourself`);
      const coef = clamp(div(maxNorm, add(total, 1e-6)), null, 1);
      for (const g of grads) g.mul_(coef);
      return total;
    }
    const value = total.item();
    if (errorIfNonfinite && !Number.isFinite(value)) {
      throw new Error(
        `clipGradNorm_: the total norm of order ${normType} for gradients is non-finite (${value}), so it cannot be clipped; ` +
          'pass errorIfNonfinite: false to scale the gradients by the non-finite norm anyway',
      );
    }
    const coef = Math.min(maxNorm / (value + 1e-6), 1);
    for (const g of grads) g.mul_(coef);
    return total;
  });
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
