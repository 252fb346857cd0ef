// The reference JS backend against naive loops, plus its unary math against known values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend as jsStorageBackend } from '../../../src/backend/js/index.js';
import { wasmBackend } from '../../../src/backend/wasm/index.js';
import { onArrays } from '../array-kernels.js';
import type { UnaryOp } from '../../../src/index.js';
import { backendConformance } from './conformance.js';

const jsBackend = onArrays(jsStorageBackend);
backendConformance(jsBackend);
// every backend runs the same suite
if (wasmBackend) backendConformance(onArrays(wasmBackend));

test('js: unary kernels match Math and torch conventions', () => {
  const cases: [UnaryOp, number[], number[]][] = [
    ['round', [0.5, 1.5, 2.5, -0.5, -1.5, 2.4999], [0, 2, 2, -0, -2, 2]], // half to even, as torch.round
    ['sign', [-3, 0, 2, NaN], [-1, 0, 1, 0]],
    ['relu', [-1, 0, 2, NaN], [0, 0, 2, NaN]],
    ['sigmoid', [-800, 0, 800], [0, 0.5, 1]],
    ['erf', [0, 0.3, 1, 2, 5, -Infinity, Infinity], [0, 0.3286267594591274, 0.8427007929497149, 0.9953222650189527, 0.9999999999984626, -1, 1]],
    ['rsqrt', [4, 0.25], [0.5, 2]],
    ['isfinite', [1, Infinity, NaN], [1, 0, 0]],
    ['logicalNot', [0, 2, -1], [1, 0, 0]],
  ];
  for (const [op, input, expected] of cases) {
    const out = new Float64Array(input.length);
    jsBackend.unary(op, Float64Array.from(input), out);
    expected.forEach((e, i) => {
      if (Number.isNaN(e)) assert.ok(Number.isNaN(out[i]), `${op}(${input[i]})`);
      else assert.ok(Math.abs(out[i] - e) <= 1e-15, `${op}(${input[i]}): expected ${e}, got ${out[i]}`);
    });
  }
});
