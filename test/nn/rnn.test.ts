import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, Tensor, gradcheck, gradgradcheck, manualSeed, nn, randn, tensor, zeros } from '../../src/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from '../helpers.js';
import { type ModuleCase, checkModuleCase } from './module-case.js';

const fx = loadFixture<{ cases: ModuleCase[]; init: Record<string, Record<string, FixtureTensor>> }>('nn_rnn');

function build(kind: string, inputSize: number, hiddenSize: number, options: Record<string, unknown>, dtype: 'float32' | 'float64' = 'float64') {
  const opts = { ...options, dtype };
  if (kind === 'LSTM') return new nn.LSTM(inputSize, hiddenSize, opts);
  if (kind === 'GRU') return new nn.GRU(inputSize, hiddenSize, opts);
  return new nn.RNN(inputSize, hiddenSize, opts);
}

const runRecurrent = (m: nn.RNN | nn.LSTM | nn.GRU) => (inputs: (Tensor | null)[]): Tensor[] => {
  if (m instanceof nn.LSTM) {
    const state = inputs.length === 3 ? ([inputs[1]!, inputs[2]!] as [Tensor, Tensor]) : undefined;
    const [out, [h, cell]] = m(inputs[0]!, state);
    return [out, h, cell];
  }
  const [out, h] = (m as nn.RNN)(inputs[0]!, inputs[1] ?? undefined);
  return [out, h];
};

for (const c of fx.cases) {
  test(`${c.kind} matches PyTorch: ${c.name}`, () => {
    const m = build(c.kind, c.inputSize, c.hiddenSize, c.options);
    checkModuleCase(m, c, runRecurrent(m));
  });
}

test('float32 recurrent layers agree with the float64 PyTorch references to float32 precision', () => {
  for (const c of fx.cases) {
    const m = build(c.kind, c.inputSize, c.hiddenSize, c.options, 'float32');
    checkModuleCase(m, c, runRecurrent(m), { rtol: 1e-4, atol: 1e-5, dtype: 'float32' });
  }
});

test('parameter names follow PyTorch (weight_ih_l0, ..., bias_hh_l1_reverse)', () => {
  const lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
  assert.deepEqual(Object.keys(lstm.stateDict()), Object.keys(fx.init.LSTM));
  assert.deepEqual(lstm.weightHhL1Reverse.shape, [20, 5]);
  assert.deepEqual(lstm.weightIhL1.shape, [20, 10]);
});

test('default initialization draws U(-1/sqrt(hidden), 1/sqrt(hidden)) in PyTorch order: same weights after manualSeed', () => {
  for (const [kind, opts] of [['LSTM', { numLayers: 2, bidirectional: true }], ['GRU', {}], ['RNN', { bias: false }]] as const) {
    manualSeed(0);
    const m = kind === 'LSTM' ? new nn.LSTM(3, 5, opts) : kind === 'GRU' ? new nn.GRU(3, 5, opts) : new nn.RNN(3, 5, opts);
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(sd), Object.keys(fx.init[kind]), kind);
    for (const [k, v] of Object.entries(fx.init[kind])) assertClose(sd[k], v, { rtol: 0, atol: 0, message: `${kind} ${k}` });
  }
});

test('gradcheck: RNN, LSTM and GRU in float64 (inputs, states and weights)', () => {
  const g = new Generator(3);
  const x = randn([3, 2, 2], { dtype: 'float64', generator: g, requiresGrad: true });
  const h0 = randn([2, 2, 3], { dtype: 'float64', generator: g, requiresGrad: true });
  const c0 = randn([2, 2, 3], { dtype: 'float64', generator: g, requiresGrad: true });
  const rnn = new nn.RNN(2, 3, { bidirectional: true, dtype: 'float64', generator: g });
  gradcheck((xi, hi, w) => { void w; return rnn(xi, hi)[0]; }, [x, h0, rnn.weightHhL0Reverse]);
  const lstm = new nn.LSTM(2, 3, { numLayers: 2, dtype: 'float64', generator: g });
  gradcheck((xi, hi, ci, w) => { void w; const [o, [h, c]] = lstm(xi, [hi, ci]); return [o, h, c]; }, [x, h0, c0, lstm.weightIhL1]);
  const gru = new nn.GRU(2, 3, { batchFirst: true, dtype: 'float64', generator: g });
  gradcheck((xi, b) => { void b; return gru(xi)[0]; }, [x, gru.biasHhL0]);
});

test('dropout between layers acts in training mode only', () => {
  const lstm = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5, dropoutGenerator: new Generator(1) });
  const x = randn([4, 2, 3]);
  const [trainOut] = lstm(x);
  lstm.eval();
  const [evalA] = lstm(x);
  const [evalB] = lstm(x);
  assertClose(evalA, evalB, { rtol: 0, atol: 0 });
  assert.ok(Array.from(trainOut.dataSync()).some((v, i) => Math.abs(v - evalA.dataSync()[i]) > 1e-6), 'dropout changed the training output');
  const single = new nn.GRU(3, 4, { dropout: 0.5 });
  const y = randn([4, 2, 3]);
  assertClose(single(y)[0], single.eval()(y)[0], { rtol: 0, atol: 0, message: 'no dropout after the last layer' });
});

test('recurrent layers name themselves and the expected shapes on bad input', () => {
  const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
  assert.throws(() => lstm(randn([5, 2, 7])), /LSTM\(3->4\): expected input \[T,N,3\], unbatched \[T,3\] or packed data \[\*,3\], got \[5,2,7\]/);
  assert.throws(() => lstm(randn([5, 2, 3]), [zeros([1, 2, 4]), zeros([2, 2, 4])]), /LSTM\(3->4\): expected h0 of shape \[2,2,4\], got \[1,2,4\]/);
  const gru = new nn.GRU(3, 4, { batchFirst: true });
  assert.throws(() => gru(randn([2, 5, 3]), zeros([1, 5, 4])), /GRU\(3->4\): expected h0 of shape \[1,2,4\], got \[1,5,4\]/);
  assert.throws(() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' }), /unknown nonlinearity 'sigmoid'/);
  assert.ok(tensor([1]) instanceof Tensor);
});

test('gradgradcheck: LSTM and GRU second derivatives', () => {
  const g = new Generator(4);
  const x = randn([2, 1, 2], { dtype: 'float64', generator: g, requiresGrad: true });
  const lstm = new nn.LSTM(2, 2, { dtype: 'float64', generator: g });
  gradgradcheck((xi, w) => { void w; return lstm(xi)[0]; }, [x, lstm.weightHhL0]);
  const gru = new nn.GRU(2, 2, { dtype: 'float64', generator: g, bidirectional: true });
  gradgradcheck((xi) => gru(xi)[1], [x]);
});

const cells = loadFixture<{ cells: ModuleCase[] }>('nn_rnn').cells;
for (const c of cells) {
  test(`${c.kind} matches PyTorch: ${c.name}`, () => {
    const opts = { ...c.options, dtype: 'float64' as const };
    const m = c.kind === 'LSTMCell' ? new nn.LSTMCell(c.inputSize, c.hiddenSize, opts)
      : c.kind === 'GRUCell' ? new nn.GRUCell(c.inputSize, c.hiddenSize, opts) : new nn.RNNCell(c.inputSize, c.hiddenSize, opts);
    checkModuleCase(m, c, (inputs) => {
      if (m instanceof nn.LSTMCell) return m(inputs[0]!, inputs.length === 3 ? [inputs[1]!, inputs[2]!] : undefined);
      return [(m as nn.GRUCell)(inputs[0]!, inputs[1] ?? undefined)];
    });
  });
}

test('cells: PyTorch parameter names, and errors that name the cell and the shapes', () => {
  assert.deepEqual(Object.keys(new nn.LSTMCell(3, 4).stateDict()), ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
  const cell = new nn.GRUCell(3, 4);
  assert.throws(() => cell(randn([2, 5])), /GRUCell\(3->4\): expected input \[N,3\] or \[3\], got \[2,5\]/);
  assert.throws(() => cell(randn([2, 3]), zeros([3, 4])), /GRUCell\(3->4\): expected hx of shape \[2,4\], got \[3,4\]/);
  const g = new Generator(8);
  const lstm = new nn.LSTMCell(2, 3, { dtype: 'float64', generator: g });
  const x = randn([2, 2], { dtype: 'float64', generator: g, requiresGrad: true });
  gradcheck((xi, w) => { void w; return lstm(xi); }, [x, lstm.weightHh]);
});

test('gradcheck: RNNCell and GRUCell in float64', () => {
  const g = new Generator(9);
  const x = randn([2, 3], { dtype: 'float64', generator: g, requiresGrad: true });
  const h = randn([2, 2], { dtype: 'float64', generator: g, requiresGrad: true });
  const rnnCell = new nn.RNNCell(3, 2, { dtype: 'float64', generator: g });
  gradcheck((xi, hi, w) => { void w; return rnnCell(xi, hi); }, [x, h, rnnCell.weightIh]);
  const gruCell = new nn.GRUCell(3, 2, { dtype: 'float64', generator: g });
  gradcheck((xi, hi, b) => { void b; return gruCell(xi, hi); }, [x, h, gruCell.biasHh!]);
});

interface PackedCase extends ModuleCase {
  lengths: number[];
  enforceSorted: boolean;
  totalLength: number | null;
}
const packedFx = loadFixture<{ packed: { cases: PackedCase[]; pack: { input: FixtureTensor; lengths: number[]; data: FixtureTensor; batchSizes: number[]; sortedIndices: number[]; unsortedIndices: number[] } } }>('nn_rnn').packed;

test('packPaddedSequence matches PyTorch (sorting ties included) and padPackedSequence inverts it', () => {
  const p = packedFx.pack;
  const input = fromFixture(p.input);
  const packed = nn.packPaddedSequence(input, p.lengths, { enforceSorted: false });
  assertClose(packed.data, p.data, { rtol: 0, atol: 0 });
  assert.deepEqual([...packed.batchSizes], p.batchSizes);
  assert.deepEqual(Array.from(packed.sortedIndices!.dataSync()), p.sortedIndices);
  assert.deepEqual(Array.from(packed.unsortedIndices!.dataSync()), p.unsortedIndices);
  const [padded, lengths] = nn.padPackedSequence(packed);
  assert.deepEqual(Array.from(lengths.dataSync()), p.lengths);
  // real steps come back, padding is zero
  for (let b = 0; b < 4; b++) {
    for (let t = 0; t < 5; t++) {
      for (let f = 0; f < 2; f++) {
        const i = (t * 4 + b) * 2 + f;
        assert.equal(padded.dataSync()[i], t < p.lengths[b] ? input.dataSync()[i] : 0);
      }
    }
  }
  assert.throws(() => nn.packPaddedSequence(input, p.lengths), /lengths must be sorted in decreasing order when enforceSorted is true/);
});

for (const c of packedFx.cases) {
  test(`${c.kind} on a PackedSequence matches PyTorch: ${c.name}`, () => {
    const m = build(c.kind, c.inputSize, c.hiddenSize, c.options);
    const batchFirst = Boolean(c.options.batchFirst);
    checkModuleCase(m, c, (inputs) => {
      const packed = nn.packPaddedSequence(inputs[0]!, c.lengths, { batchFirst, enforceSorted: c.enforceSorted });
      const unpack = (out: nn.PackedSequence) => nn.padPackedSequence(out, { batchFirst, totalLength: c.totalLength ?? undefined })[0];
      if (m instanceof nn.LSTM) {
        const [out, [h, cell]] = m(packed, inputs.length === 3 ? [inputs[1]!, inputs[2]!] : null);
        return [unpack(out), h, cell];
      }
      const [out, h] = (m as nn.GRU)(packed, inputs[1] ?? null);
      return [unpack(out), h];
    });
  });
}

test('padSequence and packSequence', () => {
  const a = randn([3, 2]);
  const b = randn([1, 2]);
  const padded = nn.padSequence([a, b], { batchFirst: true, paddingValue: -1 });
  assert.deepEqual(padded.shape, [2, 3, 2]);
  assert.deepEqual(Array.from(padded.dataSync().slice(8)), [-1, -1, -1, -1]);
  const packed = nn.packSequence([a, b]);
  assert.deepEqual([...packed.batchSizes], [2, 1, 1]);
  assert.deepEqual(packed.data.shape, [4, 2]);
});

test('gradcheck: a bidirectional LSTM over a PackedSequence (unsorted lengths, initial state)', () => {
  const g = new Generator(12);
  const lstm = new nn.LSTM(2, 2, { bidirectional: true, dtype: 'float64', generator: g });
  const x = randn([3, 3, 2], { dtype: 'float64', generator: g, requiresGrad: true });
  const h0 = randn([2, 3, 2], { dtype: 'float64', generator: g, requiresGrad: true });
  const c0 = randn([2, 3, 2], { dtype: 'float64', generator: g });
  gradcheck((xi, hi) => {
    const [out, [h, c]] = lstm(nn.packPaddedSequence(xi, [2, 3, 1], { enforceSorted: false }), [hi, c0]);
    return [out.data, h, c];
  }, [x, h0]);
});

const projFx = loadFixture<{ proj: { cases: ModuleCase[]; init: Record<string, FixtureTensor> } }>('nn_rnn').proj;
for (const c of projFx.cases) {
  test(`LSTM with projSize matches PyTorch: ${c.name}`, () => {
    const m = build(c.kind, c.inputSize, c.hiddenSize, c.options);
    checkModuleCase(m, c, runRecurrent(m));
  });
}

test('LSTM projSize: weight_hr parameters, PyTorch init order, and the constraint projSize < hiddenSize', () => {
  manualSeed(0);
  const sd = new nn.LSTM(3, 5, { projSize: 2 }).stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(projFx.init));
  for (const [k, v] of Object.entries(projFx.init)) assertClose(sd[k], v, { rtol: 0, atol: 0, message: k });
  assert.throws(() => new nn.LSTM(3, 4, { projSize: 4 }), /projSize \(4\) has to be smaller than hiddenSize \(4\)/);
  const g = new Generator(13);
  const lstm = new nn.LSTM(2, 3, { projSize: 2, dtype: 'float64', generator: g });
  gradcheck((x, w) => { void w; const [o, [h, c]] = lstm(x); return [o, h, c]; }, [randn([2, 2, 2], { dtype: 'float64', generator: g, requiresGrad: true }), lstm.weightHrL0]);
});

test('an empty sequence and mixed dtypes are refused as PyTorch refuses them; an empty batch gives empty outputs', () => {
  assert.throws(() => new nn.LSTM(3, 4)(randn([0, 2, 3])), /LSTM\(3->4\): expected a sequence length larger than 0, got input \[0,2,3\]/);
  assert.throws(() => new nn.LSTM(3, 4)(randn([2, 2, 3], { dtype: 'float64' })), /LSTM\(3->4\): expected weightIh of dtype float64 \(the input's\), got float32/);
  const [out, h] = new nn.GRU(3, 4)(randn([5, 0, 3]));
  assert.deepEqual([out.shape, h.shape], [[5, 0, 4], [1, 0, 4]]);
});
