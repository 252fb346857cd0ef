import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dt from '../../src/index.js';
import { Tensor, nn, randn, tensor } from '../../src/index.js';
import { cumprod } from '../../src/ops/scan.js';
import { reshape } from '../../src/ops/shape.js';
import { exportOnnx } from '../../src/onnx/index.js';

class Fn extends nn.Module<[Tensor], unknown> {
  constructor(private readonly body: (x: Tensor) => unknown) {
    super();
  }
  forward(x: Tensor): unknown {
    return this.body(x);
  }
}

test('exportOnnx: an op it cannot express is an error naming the op', () => {
  assert.throws(() => exportOnnx(new Fn((x) => x.cumprod(1)), randn([2, 3])), /exportOnnx: the op 'cumprod' is not supported/);
  assert.throws(() => exportOnnx(new Fn((x) => dt.nonzero(x.gt(0))), randn([2, 3])), /the op 'nonzero' is not supported/);
  assert.throws(() => exportOnnx(new Fn((x) => nn.F.crossEntropy(x, tensor([0, 1], { dtype: 'int32' }))), randn([2, 3])), /the op 'F.crossEntropy' is not supported/);
});

test('exportOnnx: a layer it cannot express is an error naming the layer', () => {
  assert.throws(() => exportOnnx(new nn.EmbeddingBag(5, 3), [tensor([[1, 2]], { dtype: 'int32' })]), /exportOnnx: EmbeddingBag is not supported/);
  assert.throws(() => exportOnnx(new nn.Sequential(new nn.Linear(3, 3), new nn.MSELoss()), [randn([2, 3]), randn([2, 3])]), /MSELoss is not supported/);
  assert.throws(() => exportOnnx(new nn.Embedding(5, 3, { maxNorm: 1 }), tensor([1], { dtype: 'int32' })), /Embedding with maxNorm is not supported/);
  class Packed extends nn.Module<[Tensor], unknown> {
    gru = new nn.GRU(2, 3);
    forward(x: Tensor) {
      return this.gru(nn.packPaddedSequence(x, [3, 2]));
    }
  }
  assert.throws(() => exportOnnx(new Packed(), randn([3, 2, 2])), /GRU on a PackedSequence is not supported/);
});

test('exportOnnx: a value computed by an op it did not see is an error, never a silent constant', () => {
  // internal ops (not the public dt.* exports) are invisible to the tracer
  assert.throws(() => exportOnnx(new Fn((x) => cumprod(x, 1).add(1)), randn([2, 3])), /computed from the inputs by an op the exporter did not see \(autograd node \w+\)/);
  assert.throws(() => exportOnnx(new Fn((x) => reshape(x, [3, 2]).add(1)), randn([2, 3])), /a view of a traced value/);
  // a library layer that is not a registered submodule runs unwatched
  const stray = new nn.Linear(3, 2);
  assert.throws(() => exportOnnx(new Fn((x) => stray(x).relu()), randn([2, 3])), /an op the exporter did not see/);
});

test('exportOnnx: randomness and reads of traced values in forward are errors', () => {
  assert.throws(() => exportOnnx(new Fn((x) => x.add(dt.randn([3]))), randn([2, 3])), /exportOnnx: randn in forward is random/);
  assert.throws(() => exportOnnx(new Fn((x) => x.mul(x.sum().item())), randn([2, 3])), /reads the values of a traced tensor \(item\(\)\)/);
  assert.throws(() => exportOnnx(new Fn((x) => nn.F.dropout(x, 0.5, true)), randn([2, 3])), /dropout in training mode is random/);
});

test('exportOnnx: bad arguments and options are errors that say what was expected', () => {
  const model = new nn.Linear(3, 2);
  assert.throws(() => exportOnnx({} as nn.Module, randn([1, 3])), /expected a Module/);
  assert.throws(() => exportOnnx(model, 3 as unknown as Tensor), /exampleInput must be a Tensor or an array/);
  assert.throws(() => exportOnnx(model, [{}]), /holds no Tensor/);
  assert.throws(() => exportOnnx(model, randn([1, 3]), { opsetVersion: 13 }), /opsetVersion must be one of 17, 18, 19, 20, 21, got 13/);
  assert.throws(() => exportOnnx(model, randn([1, 3]), { inputNames: ['a', 'b'] }), /inputNames must list 1 non-empty name/);
  assert.throws(() => exportOnnx(model, randn([1, 3]), { outputNames: [''] }), /outputNames must list 1 non-empty name/);
  assert.throws(() => exportOnnx(new Fn((x) => [x.add(1), x.add(2)]), randn([1, 3]), { outputNames: ['y', 'y'] }), /outputNames must be distinct/);
  assert.throws(() => exportOnnx(model, randn([1, 3]), { opset: 17 } as never), /unknown option 'opset'/);
  assert.throws(() => exportOnnx(new Fn(() => 3), randn([1, 3])), /forward returned no Tensor/);
});
