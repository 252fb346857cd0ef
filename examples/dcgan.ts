// Generative model: a DCGAN on the bundled MNIST digits. Two players with two optimizers, so a loop of its own: each
// step the discriminator learns to tell real digits from generated ones, then the generator learns to fool it.
// Writes a grid of generated digits (from fixed noise) after every epoch and prints both players' losses.
// Run: npm run build && node examples/dcgan.ts      (MAX_STEPS=20 for a quick try; OUT=folder for the images)
import * as dt from 'descent';
import { saveImage } from 'descent/node';

const { nn } = dt;
const maxSteps = Number(process.env.MAX_STEPS) || Infinity;
const out = process.env.OUT ?? 'runs/examples';
const { train } = await dt.data.loadMnist(); // 8,000 digits [N, 1, 28, 28] in [0, 1]

const NOISE = 64;
dt.manualSeed(0);
const generator = new nn.Sequential( // noise -> 64 x 7 x 7 -> 32 x 14 x 14 -> 1 x 28 x 28 in [-1, 1]
  new nn.Linear(NOISE, 64 * 7 * 7, { bias: false }), new nn.BatchNorm1d(64 * 7 * 7), new nn.ReLU(), new nn.Unflatten(1, [64, 7, 7]),
  new nn.ConvTranspose2d(64, 32, 4, { stride: 2, padding: 1, bias: false }), new nn.BatchNorm2d(32), new nn.ReLU(),
  new nn.ConvTranspose2d(32, 1, 4, { stride: 2, padding: 1 }), new nn.Tanh(),
);
const discriminator = new nn.Sequential( // image -> 32 x 14 x 14 -> 64 x 7 x 7 -> one logit: real or not
  new nn.Conv2d(1, 32, 4, { stride: 2, padding: 1 }), new nn.LeakyReLU(0.2),
  new nn.Conv2d(32, 64, 4, { stride: 2, padding: 1, bias: false }), new nn.BatchNorm2d(64), new nn.LeakyReLU(0.2),
  new nn.Flatten(), new nn.Linear(64 * 7 * 7, 1),
);

// DCGAN's initialization: weights N(0, 0.02), batch-norm scales N(1, 0.02), biases 0
dt.noGrad(() => {
  for (const m of [...generator.modules(), ...discriminator.modules()]) {
    if (m instanceof nn.BatchNorm1d || m instanceof nn.BatchNorm2d) nn.init.normal_(m.weight!, 1, 0.02);
    else if (m instanceof nn.Conv2d || m instanceof nn.ConvTranspose2d || m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.02);
    else continue;
    if (m.bias) nn.init.zeros_(m.bias);
  }
});

const optG = new dt.optim.Adam(generator.parameters(), { lr: 2e-4, betas: [0.5, 0.999] });
const optD = new dt.optim.Adam(discriminator.parameters(), { lr: 2e-4, betas: [0.5, 0.999] });
const loader = new dt.data.DataLoader(train, { batchSize: 64, shuffle: true, generator: new dt.Generator(0) });
const fixedNoise = dt.randn([64, NOISE], { generator: new dt.Generator(0) });
const bce = nn.functional.binaryCrossEntropyWithLogits;
let step = 0;
for (let epoch = 1; epoch <= 20 && step < maxSteps; epoch++) {
  let [sumD, sumG, batches] = [0, 0, 0];
  for (const [digits] of loader) {
    const real = digits.mul(2).sub(1); // to the generator's range [-1, 1]
    const n = real.shape[0];
    const fake = generator(dt.randn([n, NOISE]));
    // the discriminator: real -> 1, generated -> 0 (detach: this step does not train the generator)
    optD.zeroGrad();
    const lossD = bce(discriminator(real), dt.ones([n, 1])).add(bce(discriminator(fake.detach()), dt.zeros([n, 1])));
    lossD.backward();
    optD.step();
    // the generator: make the discriminator say 1
    optG.zeroGrad();
    const lossG = bce(discriminator(fake), dt.ones([n, 1]));
    lossG.backward();
    optG.step();
    [sumD, sumG, batches] = [sumD + lossD.item(), sumG + lossG.item(), batches + 1];
    if (++step >= maxSteps) break;
  }
  generator.eval();
  saveImage(dt.noGrad(() => generator(fixedNoise)), `${out}/dcgan-epoch-${epoch}.png`, { normalize: true, valueRange: [-1, 1] });
  generator.train();
  console.log(`epoch ${epoch}: discriminator loss ${(sumD / batches).toFixed(4)}, generator loss ${(sumG / batches).toFixed(4)}; ${out}/dcgan-epoch-${epoch}.png`);
}
