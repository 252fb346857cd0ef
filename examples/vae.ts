// Generative model: a variational autoencoder on Fashion-MNIST. The encoder gives a Gaussian over a 20-d code, the
// decoder the 784 pixels' probabilities; training maximizes the evidence lower bound (ELBO). Writes a grid of new
// images (decoded random codes) and one of test images with their reconstructions.
// Run: npm run build && node examples/vae.ts      (MAX_STEPS=20 for a quick try; DESCENT_DATA=folder of data sets; OUT=folder for the images)
import * as dt from 'descent';
import { datasets, saveImage } from 'descent/node';

const { nn } = dt;
const source = process.env.DESCENT_DATA ? { root: process.env.DESCENT_DATA } : { download: true };
const maxSteps = Number(process.env.MAX_STEPS) || undefined;
const out = process.env.OUT ?? 'runs/examples';
const { train, test } = await datasets.fashionMnist(source);

class Vae extends nn.Module<[dt.Tensor], dt.Tensor> {
  encoder = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 400), new nn.ReLU());
  mu = new nn.Linear(400, 20);
  logVar = new nn.Linear(400, 20);
  decoder = new nn.Sequential(new nn.Linear(20, 400), new nn.ReLU(), new nn.Linear(400, 784)); // pixel logits

  // -ELBO per image, in nats: reconstruction loss of one sampled code + KL(code distribution || N(0, I))
  negativeElbo(images: dt.Tensor): dt.Tensor {
    const h = this.encoder(images);
    const [mu, logVar] = [this.mu(h), this.logVar(h)];
    const z = mu.add(logVar.mul(0.5).exp().mul(dt.randnLike(mu))); // the reparameterization trick
    const reconstruction = nn.functional.binaryCrossEntropyWithLogits(this.decoder(z), images.flatten(1), { reduction: 'none' }).sum(1);
    const kl = logVar.add(1).sub(mu.pow(2)).sub(logVar.exp()).sum(1).mul(-0.5);
    return reconstruction.add(kl);
  }

  decode(z: dt.Tensor): dt.Tensor {
    return this.decoder(z).sigmoid().view(-1, 1, 28, 28);
  }

  forward(images: dt.Tensor): dt.Tensor { // reconstructions, from the mean code
    return this.decode(this.mu(this.encoder(images)));
  }
}

dt.manualSeed(0);
const vae = new Vae();
const trainLoader = new dt.data.DataLoader(train, { batchSize: 128, shuffle: true, generator: new dt.Generator(0) });
const testLoader = new dt.data.DataLoader(test, { batchSize: 500 });
const elbo = { forward: (model: dt.nn.Module, [images]: dt.Tensor[]) => ({ output: vae.negativeElbo(images), target: images }), loss: (negElbo: dt.Tensor) => negElbo.mean() };
await dt.train.fit(vae, {
  data: trainLoader, valData: testLoader, ...elbo, optimizer: new dt.optim.Adam(vae.parameters(), { lr: 1e-3 }), epochs: 10, maxSteps,
  callbacks: [{ onEpochEnd: (_trainer, epoch, logs) => console.log(`epoch ${epoch}: test ELBO ${(-logs.val_loss).toFixed(2)} nats per image`) }],
});
console.log(`test ELBO ${(-dt.train.evaluate(vae, testLoader, elbo).loss).toFixed(2)} nats per image`);

dt.noGrad(() => {
  saveImage(vae.decode(dt.randn([64, 20], { generator: new dt.Generator(0) })), `${out}/vae-samples.png`);
  const originals = test.tensors[0].narrow(0, 0, 32); // rows of 8 originals, each followed by their reconstructions
  const pairs = dt.stack([originals.view(4, 8, 1, 28, 28), vae(originals).view(4, 8, 1, 28, 28)], 1).view(64, 1, 28, 28);
  saveImage(pairs, `${out}/vae-reconstructions.png`);
});
console.log(`images: ${out}/vae-samples.png, ${out}/vae-reconstructions.png`);
