import { type AdamOptions, AdamBase } from './adam.js';
import type { Params } from './optimizer.js';

/**
 * AdamW (Loshchilov & Hutter, 2019), as torch.optim.AdamW: Adam with decoupled weight decay,
 *   θ ← θ (1 - ηλ), then Adam's step on the raw gradient. Default weightDecay 0.01.
 * @example const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }, options);
  }
}
