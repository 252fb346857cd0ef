import { test } from 'node:test';
import { loadFixture } from '../helpers.js';
import { type LayerCase, runLayerCase } from './layer-cases.js';

// Every case: same weights and inputs as PyTorch, float64; output, input grads, parameter grads, buffers after.
for (const file of ['nn_linear', 'nn_norm', 'nn_conv', 'nn_pool']) {
  const cases = loadFixture<Record<string, LayerCase | { ctor?: undefined }>>(file);
  for (const [name, c] of Object.entries(cases)) {
    if (!c.ctor) continue;
    test(`${file}: ${name} matches PyTorch (${(c as LayerCase).train ? 'train' : 'eval'} mode)`, () => runLayerCase(name, c as LayerCase));
  }
}
