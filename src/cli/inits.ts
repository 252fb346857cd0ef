import { nn, noGrad, type Tensor } from '../index.js';

/**
 * Initializers for the initialization study (`descent compare --inits`): each rewrites every weight matrix or
 * convolution kernel (parameters named `*.weight` with 2 or more dimensions) and zeroes the biases;
 * 'default' keeps PyTorch's default initialization of each layer.
 */
export const INITS: Record<string, { description: string; apply?: (w: Tensor) => void }> = {
  default: { description: "each layer's PyTorch default (Kaiming-uniform with a = sqrt(5))" },
  'xavier-uniform': { description: 'Glorot & Bengio 2010, uniform', apply: (w) => nn.init.xavierUniform_(w) },
  'xavier-normal': { description: 'Glorot & Bengio 2010, normal', apply: (w) => nn.init.xavierNormal_(w) },
  'kaiming-uniform': { description: 'He et al. 2015 for ReLU, uniform', apply: (w) => nn.init.kaimingUniform_(w, { nonlinearity: 'relu' }) },
  'kaiming-normal': { description: 'He et al. 2015 for ReLU, normal', apply: (w) => nn.init.kaimingNormal_(w, { nonlinearity: 'relu' }) },
  orthogonal: { description: 'Saxe et al. 2014', apply: (w) => nn.init.orthogonal_(w) },
  'normal-small': { description: 'N(0, 0.01^2): too small, signals and gradients shrink layer by layer', apply: (w) => nn.init.normal_(w, 0, 0.01) },
  'normal-large': { description: 'N(0, 1): too large, activations and gradients blow up', apply: (w) => nn.init.normal_(w, 0, 1) },
  zeros: { description: 'all zero: every unit stays identical (symmetry is never broken)', apply: (w) => nn.init.zeros_(w) },
};

export const INIT_NAMES = Object.keys(INITS);

/** Re-initializes `model` in place with the named scheme (drawing from the global generator). */
export function applyInit(model: nn.Module, name: string): void {
  const init = INITS[name];
  if (!init) throw new Error(`applyInit: unknown initializer '${name}' (valid: ${INIT_NAMES.join(', ')})`);
  if (!init.apply) return;
  noGrad(() => {
    for (const [key, p] of model.namedParameters()) {
      if (key.endsWith('weight') && p.ndim >= 2) init.apply!(p);
      else if (key.endsWith('bias')) nn.init.zeros_(p);
    }
  });
}
