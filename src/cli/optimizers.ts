import { optim, type Tensor } from '../index.js';
import { UsageError } from './args.js';

/** The optimizers the CLI knows, with a default learning rate that works on the bundled recipes. */
export const OPTIMIZERS: Record<string, { lr: number; make: (params: Tensor[], lr: number, weightDecay: number) => optim.Optimizer; description: string }> = {
  sgd: { lr: 0.1, description: 'plain gradient descent', make: (p, lr, wd) => new optim.SGD(p, { lr, weightDecay: wd }) },
  momentum: { lr: 0.05, description: 'SGD with momentum 0.9', make: (p, lr, wd) => new optim.SGD(p, { lr, momentum: 0.9, weightDecay: wd }) },
  nesterov: { lr: 0.05, description: 'SGD with Nesterov momentum 0.9', make: (p, lr, wd) => new optim.SGD(p, { lr, momentum: 0.9, nesterov: true, weightDecay: wd }) },
  adagrad: { lr: 0.05, description: 'Adagrad', make: (p, lr, wd) => new optim.Adagrad(p, { lr, weightDecay: wd }) },
  rmsprop: { lr: 1e-3, description: 'RMSprop', make: (p, lr, wd) => new optim.RMSprop(p, { lr, weightDecay: wd }) },
  adadelta: { lr: 1, description: 'Adadelta', make: (p, lr, wd) => new optim.Adadelta(p, { lr, weightDecay: wd }) },
  adam: { lr: 1e-3, description: 'Adam', make: (p, lr, wd) => new optim.Adam(p, { lr, weightDecay: wd }) },
  adamw: { lr: 1e-3, description: 'AdamW (decoupled weight decay, default 0.01)', make: (p, lr, wd) => new optim.AdamW(p, { lr, weightDecay: wd || 0.01 }) },
  adamax: { lr: 2e-3, description: 'Adamax', make: (p, lr, wd) => new optim.Adamax(p, { lr, weightDecay: wd }) },
  nadam: { lr: 2e-3, description: 'NAdam', make: (p, lr, wd) => new optim.NAdam(p, { lr, weightDecay: wd }) },
  radam: { lr: 1e-3, description: 'RAdam', make: (p, lr, wd) => new optim.RAdam(p, { lr, weightDecay: wd }) },
  lion: { lr: 1e-4, description: 'Lion', make: (p, lr, wd) => new optim.Lion(p, { lr, weightDecay: wd }) },
  'sparse-adam': {
    lr: 1e-3,
    description: 'SparseAdam (lazy Adam for sparse embedding gradients: only the rows a batch used move)',
    make: (p, lr, wd) => {
      if (wd !== 0) throw new UsageError(`descent: sparse-adam has no weight decay (got --weight-decay ${wd}); regularize in the loss instead`);
      return new optim.SparseAdam(p, { lr });
    },
  },
};

export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS);
