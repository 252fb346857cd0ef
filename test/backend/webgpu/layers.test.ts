// Every layer of nn on webgpu against the same layer on wasm: the output and the gradients of every
// input and parameter after one backward pass (of the sum of squared outputs); the recurrent layers in
// every option (layers, directions, batchFirst, projSize, no biases, dropout, initial states, packed
// batches) through the fused recurrent kernels. Layers that need what webgpu lacks
// (a kernel, or a synchronous read of a value on the GPU) must fail by name; the table says which.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tensor, cat, manualSeed, nn, randint, randn, rand, tensor } from '../../../src/index.js';
import { webgpuBackend } from '../../../src/backend/webgpu/index.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

interface LayerCase {
  name: string;
  make: () => nn.Module;
  inputs: () => Tensor[];
  /** How the layer is called (default: on the inputs, the first output if it returns several). */
  call?: (m: nn.Module, xs: Tensor[]) => Tensor;
  /** The error webgpu must throw, for a layer it cannot run. */
  refused?: RegExp;
}

/** Calls a module (modules are callable, with their forward's arguments). */
const invoke = (m: nn.Module, ...xs: Tensor[]): unknown => (m as unknown as (...a: Tensor[]) => unknown)(...xs);
const first = (out: unknown): Tensor => (Array.isArray(out) ? first(out[0]) : (out as Tensor));
const seq = (n: number, c: number, l: number) => () => [randn([n, c, l])];
const image = (n: number, c: number, h: number, w: number) => () => [randn([n, c, h, w])];
const pair = (a: () => Tensor, b: () => Tensor) => () => [a(), b()];

const CASES: LayerCase[] = [
  { name: 'Linear', make: () => new nn.Linear(6, 4), inputs: () => [randn([3, 6])] },
  { name: 'Bilinear', make: () => new nn.Bilinear(3, 4, 5), inputs: () => [randn([2, 3]), randn([2, 4])] },
  { name: 'Conv1d', make: () => new nn.Conv1d(3, 4, 3, { stride: 2, padding: 1 }), inputs: seq(2, 3, 10) },
  { name: 'Conv2d', make: () => new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1 }), inputs: image(2, 3, 7, 7) },
  { name: 'Conv2d groups', make: () => new nn.Conv2d(4, 6, 3, { groups: 2 }), inputs: image(2, 4, 6, 6) },
  { name: 'ConvTranspose2d', make: () => new nn.ConvTranspose2d(3, 4, 3, { stride: 2 }), inputs: image(2, 3, 5, 5) },
  { name: 'Embedding', make: () => new nn.Embedding(10, 4), inputs: () => [randint(0, 10, [2, 5], { dtype: 'int32' })] },
  { name: 'EmbeddingBag (2-d bags)', make: () => new nn.EmbeddingBag(10, 4), inputs: () => [randint(0, 10, [3, 4], { dtype: 'int32' })] },
  { name: 'Embedding with maxNorm', make: () => new nn.Embedding(10, 4, { maxNorm: 1 }), inputs: () => [randint(0, 10, [2, 5], { dtype: 'int32' })] },
  { name: 'BatchNorm1d', make: () => new nn.BatchNorm1d(4), inputs: () => [randn([5, 4])] },
  { name: 'BatchNorm2d', make: () => new nn.BatchNorm2d(3), inputs: image(2, 3, 4, 4) },
  { name: 'LayerNorm', make: () => new nn.LayerNorm([4]), inputs: () => [randn([3, 5, 4])] },
  { name: 'GroupNorm', make: () => new nn.GroupNorm(2, 4), inputs: image(2, 4, 3, 3) },
  { name: 'MaxPool1d', make: () => new nn.MaxPool1d(2), inputs: seq(2, 3, 9) },
  { name: 'MaxPool2d', make: () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }), inputs: image(2, 3, 7, 7) },
  { name: 'AvgPool2d', make: () => new nn.AvgPool2d(2), inputs: image(2, 3, 6, 6) },
  { name: 'AdaptiveAvgPool2d', make: () => new nn.AdaptiveAvgPool2d([2, 3]), inputs: image(2, 3, 6, 7) },
  { name: 'ReLU LeakyReLU ELU', make: () => new nn.Sequential(new nn.Linear(5, 5), new nn.ReLU(), new nn.Linear(5, 5), new nn.LeakyReLU(0.1), new nn.ELU()), inputs: () => [randn([4, 5])] },
  { name: 'GELU (erf and tanh) SiLU', make: () => new nn.Sequential(new nn.Linear(5, 5), new nn.GELU(), new nn.GELU('tanh'), new nn.SiLU()), inputs: () => [randn([4, 5])] },
  { name: 'Tanh Sigmoid Softplus', make: () => new nn.Sequential(new nn.Linear(5, 5), new nn.Tanh(), new nn.Sigmoid(), new nn.Softplus()), inputs: () => [randn([4, 5])] },
  { name: 'Softmax LogSoftmax', make: () => new nn.Sequential(new nn.Linear(5, 5), new nn.Softmax(1), new nn.LogSoftmax(1)), inputs: () => [randn([4, 5])] },
  { name: 'Dropout (training)', make: () => new nn.Sequential(new nn.Linear(5, 8), new nn.Dropout(0.3)), inputs: () => [randn([4, 5])] },
  { name: 'Flatten Unflatten', make: () => new nn.Sequential(new nn.Flatten(), new nn.Linear(12, 6), new nn.Unflatten(1, [2, 3])), inputs: image(2, 1, 3, 4) },
  { name: 'RNN', make: () => new nn.RNN(4, 5, { numLayers: 2, batchFirst: true }), inputs: () => [randn([2, 3, 4])] },
  { name: 'LSTM', make: () => new nn.LSTM(4, 5, { batchFirst: true }), inputs: () => [randn([2, 3, 4])] },
  { name: 'GRU', make: () => new nn.GRU(4, 5), inputs: () => [randn([3, 2, 4])] },
  // the output and the last states (hN, and cN through its own gradient) in one loss
  {
    name: 'LSTM (2 layers, bidirectional, projSize, dropout between layers, h0 and c0)',
    make: () => new nn.LSTM(4, 6, { numLayers: 2, bidirectional: true, projSize: 3, dropout: 0.4 }),
    inputs: () => [randn([3, 2, 4]), randn([4, 2, 3]), randn([4, 2, 6])],
    call: (m, [x, h0, c0]) => {
      const [out, [hN, cN]] = (m as nn.LSTM).forward(x, [h0, c0]);
      return cat([out.flatten(), hN.flatten(), cN.flatten()]);
    },
  },
  {
    name: 'GRU (2 layers, bidirectional, batchFirst, no biases, h0)', make: () => new nn.GRU(3, 5, { numLayers: 2, bidirectional: true, batchFirst: true, bias: false }),
    inputs: () => [randn([2, 4, 3]), randn([4, 2, 5])],
    call: (m, [x, h0]) => {
      const [out, hN] = (m as nn.GRU).forward(x, h0);
      return cat([out.flatten(), hN.flatten()]);
    },
  },
  {
    name: 'RNN relu, bidirectional, on a packed batch', make: () => new nn.RNN(3, 4, { nonlinearity: 'relu', bidirectional: true }),
    inputs: () => [randn([4, 3, 3])],
    call: (m, [x]) => (m as nn.RNN).forward(nn.packPaddedSequence(x, [4, 3, 1]))[0].data,
  },
  {
    name: 'LSTM and GRU on a packed batch (unsorted lengths)', make: () => new nn.ModuleList([new nn.LSTM(3, 4), new nn.GRU(3, 4, { numLayers: 2 })]),
    inputs: () => [randn([4, 3, 3])],
    call: (m, [x]) => {
      const [lstm, gru] = [...(m as nn.ModuleList)] as [nn.LSTM, nn.GRU];
      const packed = nn.packPaddedSequence(x, [2, 4, 3], { enforceSorted: false });
      const [out, [hN, cN]] = lstm.forward(packed);
      const [outGru, hGru] = gru.forward(packed);
      return cat([out.data.flatten(), hN.flatten(), cN.flatten(), outGru.data.flatten(), hGru.flatten()]);
    },
  },
  { name: 'LSTMCell', make: () => new nn.LSTMCell(4, 5), inputs: () => [randn([2, 4])] },
  {
    name: 'MultiheadAttention', make: () => new nn.MultiheadAttention(8, 2, { batchFirst: true }), inputs: () => [randn([2, 3, 8]), randn([2, 4, 8])],
    call: (m, [q, kv]) => first((m as nn.MultiheadAttention).forward(q, kv, kv)),
  },
  {
    name: 'TransformerEncoderLayer', make: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
    inputs: () => [randn([2, 5, 8])],
  },
  {
    name: 'TransformerDecoderLayer', make: () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
    inputs: () => [randn([2, 4, 8]), randn([2, 5, 8])],
  },
  { name: 'RNNCell (relu) GRUCell', make: () => new nn.Sequential(new nn.RNNCell(4, 5, { nonlinearity: 'relu' }), new nn.GRUCell(5, 3)), inputs: () => [randn([2, 4])] },
  { name: 'Residual Identity', make: () => new nn.Sequential(new nn.Linear(4, 4), new nn.Residual(new nn.Linear(4, 4)), new nn.Identity()), inputs: () => [randn([3, 4])] },
  {
    name: 'TransformerEncoder (2 layers, final norm, causal mask, key padding)',
    make: () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst: true }), 2, { norm: new nn.LayerNorm(8) }),
    inputs: () => [randn([2, 5, 8])],
    call: (m, [x]) => (m as nn.TransformerEncoder).forward(x, {
      mask: nn.Transformer.generateSquareSubsequentMask(5).to(x.device),
      srcKeyPaddingMask: tensor([[false, false, false, false, true], [false, false, false, false, false]], { dtype: 'bool' }).to(x.device),
    }),
  },
  {
    name: 'TransformerDecoder (2 layers)', make: () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }), 2),
    inputs: () => [randn([2, 4, 8]), randn([2, 5, 8])],
  },
  {
    name: 'Transformer (encoder and decoder, causal target)', make: () => new nn.Transformer(8, 2, { numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0, batchFirst: true }),
    inputs: () => [randn([2, 5, 8]), randn([2, 4, 8])],
    call: (m, [src, tgt]) => (m as nn.Transformer).forward(src, tgt, { tgtMask: nn.Transformer.generateSquareSubsequentMask(4).to(src.device) }),
  },
  {
    name: 'CTCLoss', make: () => new nn.CTCLoss(), inputs: () => [randn([6, 2, 4]).logSoftmax(2), randint(1, 4, [2, 3], { dtype: 'int32' })],
    call: (m, [lp, targets]) => invoke(m, lp, targets, [6, 5] as never, [3, 2] as never) as Tensor,
    refused: /read asynchronously/, // the forward-backward recursion runs on the CPU, on the values read back
  },
  { name: 'MSELoss', make: () => new nn.MSELoss(), inputs: pair(() => randn([4, 3]), () => randn([4, 3])) },
  { name: 'L1Loss SmoothL1Loss HuberLoss', make: () => new nn.L1Loss(), inputs: pair(() => randn([4, 3]), () => randn([4, 3])), call: (m, [a, b]) => (invoke(m, a, b) as Tensor).add(new nn.SmoothL1Loss()(a, b)).add(new nn.HuberLoss({ delta: 0.5 })(a, b)) },
  { name: 'CrossEntropyLoss (label smoothing)', make: () => new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }), inputs: pair(() => randn([5, 4]), () => randint(0, 4, [5], { dtype: 'int32' })) },
  { name: 'NLLLoss', make: () => new nn.NLLLoss(), inputs: pair(() => randn([5, 4]).logSoftmax(1), () => randint(0, 4, [5], { dtype: 'int32' })) },
  { name: 'BCELoss BCEWithLogitsLoss', make: () => new nn.BCEWithLogitsLoss(), inputs: pair(() => randn([4, 3]), () => rand([4, 3])), call: (m, [a, b]) => (invoke(m, a, b) as Tensor).add(new nn.BCELoss()(a.sigmoid(), b)) },
  { name: 'KLDivLoss', make: () => new nn.KLDivLoss({ reduction: 'batchmean' }), inputs: pair(() => randn([4, 3]).logSoftmax(1), () => randn([4, 3]).softmax(1)) },
  {
    name: 'CosineEmbedding MarginRanking TripletMargin', make: () => new nn.CosineEmbeddingLoss({ margin: 0.1 }),
    inputs: () => [randn([4, 5]), randn([4, 5]), randn([4, 5])],
    call: (m, [a, b, c]) => (invoke(m, a, b, tensor([1, -1, 1, -1], { device: a.device })) as Tensor).add(new nn.MarginRankingLoss({ margin: 0.2 })(a.sum(1), b.sum(1), tensor([1, -1, 1, 1], { device: a.device })))
      .add(new nn.TripletMarginLoss()(a, b, c)),
  },
];

/**
 * The layer's output, the gradients of its float inputs and of its parameters on `device`, read back; the
 * model and inputs are made on wasm with fixed seeds, then moved.
 */
async function outputsOn(c: LayerCase, device: string): Promise<number[][]> {
  manualSeed(1);
  const model = c.make().to(device);
  const xs = c.inputs().map((x) => (x.dtype === 'float32' ? x.to(device).detach().requiresGrad_() : x.to(device)));
  manualSeed(2);
  const out = c.call ? c.call(model, xs) : first(invoke(model, ...xs));
  const loss = out.dtype === 'float32' ? out.square().sum() : out.sum();
  loss.backward();
  const grads = [...xs, ...model.parameters()].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  return Promise.all([out, ...grads].map(async (t) => Array.from(await t.data())));
}

describe('nn layers on webgpu against wasm', { skip }, () => {
  for (const c of CASES) {
    test(c.name, async () => {
      if (c.refused) {
        await assert.rejects(outputsOn(c, 'webgpu'), c.refused);
        return;
      }
      const [cpu, gpu] = [await outputsOn(c, 'wasm'), await outputsOn(c, 'webgpu')];
      assert.equal(gpu.length, cpu.length, 'the output and every parameter gradient');
      cpu.forEach((expected, k) => {
        assert.equal(gpu[k].length, expected.length);
        expected.forEach((e, i) => {
          const g = gpu[k][i];
          assert.ok(Math.abs(g - e) <= 1e-5 + 1e-4 * Math.abs(e), `${k === 0 ? 'output' : `gradient ${k - 1} (inputs, then parameters)`} [${i}]: webgpu ${g}, wasm ${e}`);
        });
      });
    });
  }
});

describe('the recurrent layers on webgpu run the fused kernels', { skip }, () => {
  const RECURRENT = ['lstmForward', 'lstmBackward', 'gruForward', 'gruBackward', 'rnnForward', 'rnnBackward'] as const;
  test('no recurrent kernel is missing, and LSTM, GRU and RNN call them once per layer and direction (not the per-step composition)', async () => {
    for (const k of RECURRENT) assert.ok(!webgpuBackend.missingKernels!.has(k), `${k} is listed as missing`);
    const calls = new Map<string, number>();
    const kernels = webgpuBackend as unknown as Record<string, (...a: unknown[]) => unknown>;
    const originals = RECURRENT.map((k) => [k, kernels[k]] as const);
    for (const [k, f] of originals) kernels[k] = (...a: unknown[]) => { calls.set(k, (calls.get(k) ?? 0) + 1); return f(...a); };
    try {
      const x = randn([5, 2, 3]).to('webgpu').requiresGrad_();
      const layers = [new nn.LSTM(3, 4, { bidirectional: true }), new nn.GRU(3, 4, { numLayers: 2 }), new nn.RNN(3, 4)].map((m) => m.to('webgpu'));
      const [lstm, gru, rnn] = layers as [nn.LSTM, nn.GRU, nn.RNN];
      const loss = lstm.forward(x)[0].sum().add(gru.forward(x)[0].sum()).add(rnn.forward(x)[0].sum());
      loss.backward();
      await x.grad!.data();
    } finally {
      for (const [k, f] of originals) kernels[k] = f;
    }
    assert.deepEqual(Object.fromEntries(calls), { lstmForward: 2, lstmBackward: 2, gruForward: 2, gruBackward: 2, rnnForward: 1, rnnBackward: 1 });
  });
});
