// The update rules of the library (optim/index.ts marks them as the library's own).
export { SGD } from './sgd.js';
export { Adam } from './adam.js';
export { AdamW } from './adamw.js';
export { Adagrad } from './adagrad.js';
export { SparseAdam } from './sparse-adam.js';
export { RMSprop } from './rmsprop.js';
export { Adadelta } from './adadelta.js';
export { Adamax } from './adamax.js';
export { NAdam } from './nadam.js';
export { RAdam } from './radam.js';
export { Rprop } from './rprop.js';
export { ASGD } from './asgd.js';
export { LBFGS } from './lbfgs.js';
export { Lion } from './lion.js';
export { SGDScheduleFree, AdamWScheduleFree } from './schedule-free.js';
export { Muon } from './muon.js';
