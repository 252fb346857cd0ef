// A rule of shared/rules.ts as the descent optimizer it names.
import * as dt from 'descent';
import { RULES } from '../shared/rules.js';

type Make = (params: dt.Tensor[], o: Record<string, number>) => dt.optim.Optimizer;

const MAKERS: Record<string, Make> = {
  sgd: (ps, o) => new dt.optim.SGD(ps, { lr: o.lr }),
  momentum: (ps, o) => new dt.optim.SGD(ps, { lr: o.lr, momentum: o.momentum }),
  nesterov: (ps, o) => new dt.optim.SGD(ps, { lr: o.lr, momentum: o.momentum, nesterov: true }),
  adagrad: (ps, o) => new dt.optim.Adagrad(ps, { lr: o.lr }),
  rmsprop: (ps, o) => new dt.optim.RMSprop(ps, { lr: o.lr, alpha: o.alpha }),
  adadelta: (ps, o) => new dt.optim.Adadelta(ps, { lr: o.lr, rho: o.rho }),
  adam: (ps, o) => new dt.optim.Adam(ps, { lr: o.lr, betas: [o.beta1, o.beta2] }),
  adamw: (ps, o) => new dt.optim.AdamW(ps, { lr: o.lr, weightDecay: o.weightDecay }),
  adamax: (ps, o) => new dt.optim.Adamax(ps, { lr: o.lr }),
  nadam: (ps, o) => new dt.optim.NAdam(ps, { lr: o.lr }),
  radam: (ps, o) => new dt.optim.RAdam(ps, { lr: o.lr }),
  lion: (ps, o) => new dt.optim.Lion(ps, { lr: o.lr, betas: [o.beta1, o.beta2] }),
  rprop: (ps, o) => new dt.optim.Rprop(ps, { lr: o.lr }),
  // One L-BFGS iteration (with its line search) per step, so that its path shows each iteration.
  lbfgs: (ps, o) => new dt.optim.LBFGS(ps, { lr: o.lr, maxIter: 1, historySize: Math.round(o.historySize), lineSearchFn: 'strongWolfe' }),
};

/**
 * The optimizer of rule `id` over `params`; options missing from `options` take the rule's defaults.
 * @example const opt = makeOptimizer('adam', [p], { lr: 0.1 });
 */
export function makeOptimizer(id: string, params: dt.Tensor[], options: Record<string, number>): dt.optim.Optimizer {
  const rule = RULES.find((r) => r.id === id);
  const make = MAKERS[id];
  if (!rule || !make) throw new Error(`makeOptimizer: unknown rule '${id}' (known: ${Object.keys(MAKERS).join(', ')})`);
  return make(params, { ...rule.defaults, ...options });
}
