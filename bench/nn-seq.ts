// Sequence layers and losses, forward + backward, against PyTorch on one CPU thread.
// Run: npm run build:test && node build/bench/nn-seq.js (not part of `npm run bench`, whose workloads are fixed).
import * as dt from '../src/index.js';
import { runPython, torchAvailable } from './peers.js';

const { nn } = dt;

function msPerRun(fn: () => void, reps = 5): number {
  fn();
  const start = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - start) / reps;
}

dt.manualSeed(0);
const lstm = new nn.LSTM(32, 64);
const x = dt.randn([50, 16, 32]);
const layer = new nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 128, dropout: 0, batchFirst: true });
const tokens = dt.randn([8, 32, 64]);
const logits = dt.randn([100, 8, 30], { requiresGrad: true });
const targets = dt.randint(1, 30, [8, 20]);
const scores = dt.randn([256, 1000], { requiresGrad: true });
const labels = dt.randint(0, 1000, [256]);

const ours: Record<string, number> = {
  lstm: msPerRun(() => { lstm.zeroGrad(); lstm(x)[0].sum().backward(); }),
  encoder: msPerRun(() => { layer.zeroGrad(); layer(tokens).sum().backward(); }),
  ctc: msPerRun(() => { logits.grad = null; nn.functional.ctcLoss(dt.logSoftmax(logits, 2), targets, Array(8).fill(100), Array(8).fill(20)).backward(); }),
  crossEntropy: msPerRun(() => { scores.grad = null; nn.functional.crossEntropy(scores, labels, { labelSmoothing: 0.1 }).backward(); }),
};
const torch = torchAvailable() ? runPython<Record<string, number>>(new URL('../../bench/torch_nn_seq.py', import.meta.url).pathname) : null;
const names: Record<string, string> = {
  lstm: 'LSTM(32->64), T=50, N=16',
  encoder: 'TransformerEncoderLayer(64, 4, ff 128), N=8, L=32',
  ctc: 'ctcLoss T=100, N=8, C=30, S=20 (with logSoftmax)',
  crossEntropy: 'crossEntropy N=256, C=1000, labelSmoothing 0.1',
};
console.log('workload (forward + backward)'.padEnd(52), 'descent ms'.padStart(11), 'torch ms'.padStart(9));
for (const [k, v] of Object.entries(ours)) {
  console.log(names[k].padEnd(52), v.toFixed(1).padStart(11), (torch ? torch[k].toFixed(1) : '-').padStart(9));
}
