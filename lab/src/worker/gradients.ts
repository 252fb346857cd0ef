// Vanishing and exploding gradients: a deep MLP on a two-spiral problem, trained by descent's fit loop
// with its GradientMonitor, which measures every Linear layer's gradient norm at every step. The page
// turns those norms into a heatmap (layers x steps); activation, initialization, batch norm and
// residual connections are the knobs that make the gradients vanish, explode or stay healthy.
import * as dt from 'descent';
import type { Activation, GradientsConfig, GradientsProgress, GradientsRecord, GradientsResult, InitId } from '../shared/jobs.js';
import type { Job } from './job.js';

const { nn } = dt;
const SAMPLES = 256;
const BATCH = 64;
const REPORT_EVERY_MS = 60;

const ACTIVATIONS: Record<Activation, () => dt.nn.Module<[dt.Tensor], dt.Tensor>> = {
  sigmoid: () => new nn.Sigmoid(), tanh: () => new nn.Tanh(), relu: () => new nn.ReLU(), gelu: () => new nn.GELU(),
};

const INITS: Record<InitId, (w: dt.Tensor) => void> = {
  normal: (w) => nn.init.normal_(w, 0, 1), // the naive choice: unit variance whatever the layer's width
  xavier: (w) => nn.init.xavierNormal_(w),
  he: (w) => nn.init.kaimingNormal_(w, { nonlinearity: 'relu' }),
};

/** Two interleaved spirals, two classes. */
function spirals(n: number, seed: number): [dt.Tensor, dt.Tensor] {
  const generator = new dt.Generator(seed);
  const t = dt.rand([n], { generator }).mul(3 * Math.PI).add(0.5);
  const label = dt.arange(n).remainder(2);
  const side = label.mul(2).sub(1);
  const noise = dt.randn([n, 2], { generator }).mul(0.05);
  const x = dt.stack([t.cos().mul(t).mul(side), t.sin().mul(t).mul(side)], 1).div(10).add(noise);
  return [x, label.to('int32')];
}

/** depth Linear layers of `width` (the first from the 2 inputs), each optionally with batch norm and a skip, then a Linear head. */
export function deepNet(config: GradientsConfig): { model: dt.nn.Sequential; linears: string[] } {
  const { depth, width, activation, batchNorm, residual } = config;
  const layers: dt.nn.Module<[dt.Tensor], dt.Tensor>[] = [new nn.Linear(2, width), ACTIVATIONS[activation]()];
  for (let i = 1; i < depth; i++) {
    const block = new nn.Sequential(new nn.Linear(width, width), ...(batchNorm ? [new nn.BatchNorm1d(width)] : []), ACTIVATIONS[activation]());
    layers.push(residual ? new nn.Residual(block) : block);
  }
  layers.push(new nn.Linear(width, 2));
  const model = new nn.Sequential(...layers);
  const linears: string[] = [];
  for (const [name, module] of model.namedModules()) {
    if (!(module instanceof nn.Linear)) continue;
    INITS[config.init](module.weight);
    if (module.bias) nn.init.zeros_(module.bias);
    linears.push(`${name}.weight`);
  }
  return { model, linears };
}

export const gradients: Job<GradientsConfig, GradientsProgress, GradientsResult> = async (config, context) => {
  const [x, y] = spirals(SAMPLES, config.seed);
  dt.manualSeed(config.seed);
  const { model, linears } = deepNet(config);
  context.emit({ kind: 'layers', names: linears });
  const monitor = new dt.train.GradientMonitor({ every: 1 });
  // the monitor's warnings about the weights the heatmap shows (biases start at zero, so their update ratios always look large)
  const warnings = () => monitor.warnings.filter((w) => linears.includes(w.layer)).map((w) => w.message);
  let pending: GradientsRecord[] = [];
  let lastReport = performance.now();
  const flush = () => {
    context.emit({ kind: 'records', records: pending, warnings: warnings() });
    pending = [];
    lastReport = performance.now();
  };
  const stream = dt.train.lambdaCallback({
    onStepEnd: (trainer, info) => {
      const record = monitor.records[monitor.records.length - 1];
      pending.push({ step: info.step, loss: info.loss, norms: linears.map((name) => record?.layers[name]?.gradNorm ?? NaN) });
      if (performance.now() - lastReport > REPORT_EVERY_MS) flush();
      if (context.stopped) trainer.stop('stopped from the page');
    },
  });
  const history = await dt.train.fit(model, {
    data: new dt.data.DataLoader(new dt.data.TensorDataset(x, y), { batchSize: BATCH, shuffle: true, generator: new dt.Generator(config.seed) }),
    loss: dt.nn.functional.crossEntropy,
    optimizer: new dt.optim.SGD(model.parameters(), { lr: config.lr, momentum: 0.9 }),
    maxSteps: config.steps,
    callbacks: [monitor, stream],
    logSteps: false,
  });
  flush();
  return { stopReason: history.stopReason, warnings: warnings() };
};
