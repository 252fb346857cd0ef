// Marks every layer class of the library as library code (nn/module.ts isLibraryCode): a model built only
// from them runs no user code, so its intermediates are released with its graph.
import { Module, markLibraryCode } from '../module.js';
import * as activation from './activation.js';
import * as attention from './attention.js';
import * as container from './container.js';
import * as conv from './conv.js';
import * as dropout from './dropout.js';
import * as embedding from './embedding.js';
import * as linear from './linear.js';
import * as loss from './loss.js';
import * as normalization from './normalization.js';
import * as pooling from './pooling.js';
import * as rnn from './rnn.js';
import * as shape from './shape.js';
import * as transformer from './transformer.js';

for (const layers of [activation, attention, container, conv, dropout, embedding, linear, loss, normalization, pooling, rnn, shape, transformer]) {
  for (const value of Object.values(layers)) {
    if (typeof value === 'function' && value.prototype instanceof Module) markLibraryCode(value);
  }
}
