// The update rules the lab lets people race and train with: their names, colors, options and
// defaults. worker/rules.ts turns an entry into the descent optimizer it names.

export interface RuleOption {
  key: string;
  label: string;
  min: number;
  max: number;
}

export interface RuleInfo {
  id: string;
  label: string;
  /** descent's class, as in `new dt.optim.Adam(...)`. */
  className: string;
  color: string;
  /** Default options on the loss surfaces (lr first). */
  defaults: Record<string, number>;
  /** The default learning rate for the MNIST CNN. */
  mnistLr: number;
  options: RuleOption[];
}

const lr: RuleOption = { key: 'lr', label: 'lr', min: 0, max: 100 };
const momentum: RuleOption = { key: 'momentum', label: 'momentum', min: 0, max: 0.999 };
const beta1: RuleOption = { key: 'beta1', label: 'β₁', min: 0, max: 0.999 };
const beta2: RuleOption = { key: 'beta2', label: 'β₂', min: 0, max: 0.99999 };

export const RULES: RuleInfo[] = [
  { id: 'sgd', label: 'SGD', className: 'SGD', color: '#e6194b', defaults: { lr: 0.002 }, mnistLr: 0.05, options: [lr] },
  { id: 'momentum', label: 'Momentum', className: 'SGD', color: '#f58231', defaults: { lr: 0.0005, momentum: 0.9 }, mnistLr: 0.01, options: [lr, momentum] },
  { id: 'nesterov', label: 'Nesterov', className: 'SGD', color: '#9a6324', defaults: { lr: 0.0005, momentum: 0.9 }, mnistLr: 0.01, options: [lr, momentum] },
  { id: 'adagrad', label: 'AdaGrad', className: 'Adagrad', color: '#bfa500', defaults: { lr: 0.5 }, mnistLr: 0.01, options: [lr] },
  {
    id: 'rmsprop', label: 'RMSProp', className: 'RMSprop', color: '#3cb44b', defaults: { lr: 0.01, alpha: 0.99 }, mnistLr: 0.001,
    options: [lr, { key: 'alpha', label: 'α', min: 0, max: 0.9999 }],
  },
  { id: 'adadelta', label: 'Adadelta', className: 'Adadelta', color: '#808000', defaults: { lr: 1, rho: 0.9 }, mnistLr: 1, options: [lr, { key: 'rho', label: 'ρ', min: 0, max: 0.9999 }] },
  { id: 'adam', label: 'Adam', className: 'Adam', color: '#4363d8', defaults: { lr: 0.1, beta1: 0.9, beta2: 0.999 }, mnistLr: 0.003, options: [lr, beta1, beta2] },
  {
    id: 'adamw', label: 'AdamW', className: 'AdamW', color: '#42d4f4', defaults: { lr: 0.1, weightDecay: 0.01 }, mnistLr: 0.003,
    options: [lr, { key: 'weightDecay', label: 'weight decay', min: 0, max: 10 }],
  },
  { id: 'adamax', label: 'Adamax', className: 'Adamax', color: '#469990', defaults: { lr: 0.1 }, mnistLr: 0.003, options: [lr] },
  { id: 'nadam', label: 'NAdam', className: 'NAdam', color: '#911eb4', defaults: { lr: 0.1 }, mnistLr: 0.003, options: [lr] },
  { id: 'radam', label: 'RAdam', className: 'RAdam', color: '#f032e6', defaults: { lr: 0.01 }, mnistLr: 0.003, options: [lr] },
  { id: 'lion', label: 'Lion', className: 'Lion', color: '#000075', defaults: { lr: 0.01, beta1: 0.9, beta2: 0.99 }, mnistLr: 0.0003, options: [lr, beta1, beta2] },
  { id: 'rprop', label: 'Rprop', className: 'Rprop', color: '#800000', defaults: { lr: 0.01 }, mnistLr: 0.001, options: [lr] },
  {
    id: 'lbfgs', label: 'L-BFGS', className: 'LBFGS', color: '#404040', defaults: { lr: 1, historySize: 10 }, mnistLr: 0,
    options: [lr, { key: 'historySize', label: 'history', min: 1, max: 100 }],
  },
];

/** Rules that train the MNIST CNN (L-BFGS wants full-batch closures; Rprop full batches too). */
export const MNIST_RULES = RULES.filter((r) => r.mnistLr > 0 && r.id !== 'rprop');

export const ruleInfo = (id: string): RuleInfo | undefined => RULES.find((r) => r.id === id);
