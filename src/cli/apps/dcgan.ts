// Generative model: a DCGAN (Radford et al. 2016; PyTorch's examples/dcgan, scaled to 28x28 digits) on the bundled
// MNIST digits. Two players with two optimizers, so it trains with a loop of its own rather than fit: each step
// the discriminator learns to tell real digits (label 1) from generated ones (0), then the generator learns to
// make the discriminator say 1.
import { Generator, type Tensor, nn, noGrad, ones, optim, randn, zeros } from '../../index.js';
import { DataLoader, loadMnist } from '../../data/index.js';
import { imagePng } from '../../node/index.js';
import { type LoopResult, type LoopRun, type RecipeData, defineRecipe, emptyHistory } from '../recipe.js';

/** Size of the generator's input noise. */
export const NOISE = 64;

/** noise [B, 64] -> Linear -> 64 x 7 x 7 -> transposed convolutions to 32 x 14 x 14 and 1 x 28 x 28, in [-1, 1] (tanh). */
export function dcganGenerator(): nn.Module {
  return new nn.Sequential(
    new nn.Linear(NOISE, 64 * 7 * 7, { bias: false }), new nn.BatchNorm1d(64 * 7 * 7), new nn.ReLU(), new nn.Unflatten(1, [64, 7, 7]),
    new nn.ConvTranspose2d(64, 32, 4, { stride: 2, padding: 1, bias: false }), new nn.BatchNorm2d(32), new nn.ReLU(),
    new nn.ConvTranspose2d(32, 1, 4, { stride: 2, padding: 1 }), new nn.Tanh(),
  );
}

/** image [B, 1, 28, 28] -> strided convolutions (32 x 14 x 14, 64 x 7 x 7 with batch norm), leaky ReLU -> one logit: real or not. */
export function dcganDiscriminator(): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 4, { stride: 2, padding: 1 }), new nn.LeakyReLU(0.2),
    new nn.Conv2d(32, 64, 4, { stride: 2, padding: 1, bias: false }), new nn.BatchNorm2d(64), new nn.LeakyReLU(0.2),
    new nn.Flatten(), new nn.Linear(64 * 7 * 7, 1),
  );
}

/** Both players in one module, so one checkpoint holds them; calling it generates images from noise. */
export class Dcgan extends nn.Module<[Tensor], Tensor> {
  generator = dcganGenerator();
  discriminator = dcganDiscriminator();

  constructor() {
    super();
    // DCGAN's initialization: weights N(0, 0.02), batch-norm scales N(1, 0.02), biases 0
    noGrad(() => {
      for (const m of this.modules()) {
        const isNorm = m instanceof nn.BatchNorm1d || m instanceof nn.BatchNorm2d;
        if (isNorm) nn.init.normal_(m.weight!, 1, 0.02);
        else if (m instanceof nn.Conv2d || m instanceof nn.ConvTranspose2d || m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.02);
        else continue;
        if (m.bias) nn.init.zeros_(m.bias);
      }
    });
  }

  forward(noise: Tensor): Tensor {
    return this.generator(noise);
  }
}

/** Generated digits [B, 1, 28, 28] in [-1, 1], with the generator in eval mode (batch norm's running statistics). */
function generate(gan: Dcgan, noise: Tensor): Tensor {
  const wasTraining = gan.generator.training;
  gan.generator.eval();
  const images = noGrad(() => gan.generator(noise));
  gan.generator.train(wasTraining);
  return images;
}

const GRID = { normalize: true, valueRange: [-1, 1] as const };

/**
 * The adversarial loop: per batch, one step of the discriminator (real -> 1, generated -> 0) and one of the
 * generator (generated -> 1, the non-saturating loss), each with its own Adam (lr, betas 0.5 and 0.999).
 * Images from fixed noise after every epoch; both players' losses per step.
 */
export async function trainDcgan(run: LoopRun<RecipeData>): Promise<LoopResult> {
  const gan = run.model as Dcgan;
  const { generator: g, discriminator: d } = gan;
  const optG = new optim.Adam(g.parameters(), { lr: run.lr, betas: [0.5, 0.999] });
  const optD = new optim.Adam(d.parameters(), { lr: run.lr, betas: [0.5, 0.999] });
  const loader = new DataLoader<Tensor[], Tensor[]>(run.data.train, { batchSize: run.batchSize, shuffle: true, generator: new Generator(run.seed) });
  const fixedNoise = randn([64, NOISE], { generator: new Generator(0) });
  const bce = nn.functional.binaryCrossEntropyWithLogits;
  const players = { discriminator: emptyHistory(), generator: emptyHistory() };
  const images: LoopResult['images'] = [];
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  let step = 0;
  let epoch = 0;
  let stopped: string | null = null;
  while (epoch < run.epochs && !stopped) {
    epoch++;
    const sums = { discriminator: 0, generator: 0, batches: 0 };
    for (const [digits] of loader) {
      const real = digits.mul(2).sub(1); // [0, 1] -> [-1, 1], the generator's range
      const n = real.shape[0];
      const fake = g(randn([n, NOISE]));
      optD.zeroGrad();
      const lossD = bce(d(real), ones([n, 1])).add(bce(d(fake.detach()), zeros([n, 1])));
      lossD.backward();
      optD.step();
      optG.zeroGrad();
      const lossG = bce(d(fake), ones([n, 1]));
      lossG.backward();
      optG.step();
      step++;
      const losses = { discriminator: lossD.item(), generator: lossG.item() };
      for (const player of ['discriminator', 'generator'] as const) {
        players[player].steps.push({ step, epoch, loss: losses[player], lr: run.lr, gradNorm: NaN });
        sums[player] += losses[player];
      }
      sums.batches++;
      run.onStep?.({ step, epoch, loss_d: losses.discriminator, loss_g: losses.generator, elapsed: seconds() });
      if (run.maxSteps !== undefined && step >= run.maxSteps) stopped = `reached maxSteps (${run.maxSteps} steps)`;
      else if (run.timeLimit !== undefined && seconds() >= run.timeLimit) stopped = `reached the time limit (${run.timeLimit} s)`;
      if (stopped) break;
    }
    for (const player of ['discriminator', 'generator'] as const) {
      players[player].epochs.push({ epoch, step, loss: sums[player] / sums.batches, time: seconds() });
    }
    images.push({ title: `samples, epoch ${epoch}`, png: imagePng(generate(gan, fixedNoise), GRID) });
    run.log(`epoch ${epoch}: discriminator loss ${(sums.discriminator / sums.batches).toFixed(4)}, generator loss ${(sums.generator / sums.batches).toFixed(4)} (${seconds().toFixed(1)} s)`);
  }
  const stopReason = stopped ?? `reached maxEpochs (${run.epochs} epochs)`;
  for (const h of Object.values(players)) h.stopReason = stopReason;
  return { runs: Object.entries(players).map(([name, history]) => ({ name, history })), images, notes: [], step, epoch, seconds: seconds(), stopReason };
}

export const dcganRecipe = defineRecipe<RecipeData>({
  name: 'dcgan',
  description: 'DCGAN (batch norm in generator and discriminator, Adam 2e-4, betas 0.5/0.999) on the bundled 8,000 MNIST training digits; its own loop (two optimizers)',
  bar: 'a grid of samples per epoch and both players\' losses in the report',
  data: () => loadMnist(),
  model: () => new Dcgan(),
  defaults: { optimizer: 'adam', lr: 2e-4, batchSize: 64, epochs: 20 },
  loop: trainDcgan,
  sample: (model, _data, { count, seed }) => ({ images: generate(model as Dcgan, randn([count ?? 64, NOISE], { generator: new Generator(seed) })), grid: GRID }),
});
