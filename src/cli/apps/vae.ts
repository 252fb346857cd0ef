// Generative model: a variational autoencoder (Kingma & Welling 2014; PyTorch's examples/vae) on Fashion-MNIST.
// The encoder gives a Gaussian over a 20-d latent code, the decoder Bernoulli logits of the 784 pixels; training
// minimizes the negative evidence lower bound (ELBO) per image, in nats.
import { Generator, type Tensor, nn, noGrad, randn, randnLike, stack } from '../../index.js';
import { datasets, imageLogger, imagePng } from '../../node/index.js';
import { type RecipeData, defineRecipe } from '../recipe.js';
import { datasetOptions } from './common.js';

export const LATENT = 20;

/** An MLP VAE, 784-400-20 and back. */
export class Vae extends nn.Module<[Tensor], Tensor> {
  encoder = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 400), new nn.ReLU());
  mu = new nn.Linear(400, LATENT);
  logVar = new nn.Linear(400, LATENT);
  decoder = new nn.Sequential(new nn.Linear(LATENT, 400), new nn.ReLU(), new nn.Linear(400, 784));

  /** Images [B, 1, 28, 28] from latent codes [B, 20]: the decoder's pixel probabilities. */
  decode(z: Tensor): Tensor {
    return this.decoder(z).sigmoid().view(-1, 1, 28, 28);
  }

  /**
   * The negative ELBO of each image [B], in nats: the Bernoulli reconstruction loss of one sample of the latent
   * code (the reparameterization z = mu + sigma * eps) plus the KL divergence of the code's distribution from N(0, I).
   */
  negativeElbo(images: Tensor): Tensor {
    const h = this.encoder(images);
    const mu = this.mu(h);
    const logVar = this.logVar(h);
    const z = mu.add(logVar.mul(0.5).exp().mul(randnLike(mu)));
    const reconstruction = nn.functional.binaryCrossEntropyWithLogits(this.decoder(z), images.flatten(1), { reduction: 'none' }).sum(1);
    const kl = logVar.add(1).sub(mu.pow(2)).sub(logVar.exp()).sum(1).mul(-0.5);
    return reconstruction.add(kl);
  }

  /** Reconstructions [B, 1, 28, 28] of images: decoded from the mean code. */
  forward(images: Tensor): Tensor {
    return this.decode(this.mu(this.encoder(images)));
  }
}

/** Rows of originals and their reconstructions, alternating: [2 * n, 1, 28, 28] for n images (n a multiple of 8). */
function originalsAndReconstructions(vae: Vae, images: Tensor): Tensor {
  const n = images.shape[0];
  const recon = noGrad(() => vae(images));
  return stack([images.view(n / 8, 8, 1, 28, 28), recon.view(n / 8, 8, 1, 28, 28)], 1).view(2 * n, 1, 28, 28);
}

export const vaeRecipe = defineRecipe<RecipeData>({
  name: 'vae',
  description: 'variational autoencoder (MLP 784-400-20, Bernoulli decoder) on Fashion-MNIST; val_loss is the negative ELBO in nats per image',
  bar: 'ELBO reported; grids of samples and reconstructions in the report',
  data: (source) => datasets.fashionMnist(datasetOptions(source)),
  model: () => new Vae(),
  forward: (model, [images]) => ({ output: (model as Vae).negativeElbo(images), target: images }),
  loss: (negativeElbo) => negativeElbo.mean(),
  metrics: [],
  defaults: { optimizer: 'adam', lr: 1e-3, batchSize: 128, epochs: 10 },
  extras(model, data) {
    const vae = model as Vae;
    const fixedCodes = randn([64, LATENT], { generator: new Generator(0) });
    const samples = imageLogger({ make: () => vae.decode(fixedCodes), name: 'samples' });
    return {
      callbacks: [samples],
      notes: (history) => {
        const last = history.epochs.at(-1);
        return last ? [`test ELBO ${(-last.val_loss).toFixed(2)} nats per image (epoch ${last.epoch}; one sampled code per image)`] : [];
      },
      images: () => [
        ...samples.images,
        { title: 'test images (odd rows) and their reconstructions (even rows)', png: imagePng(originalsAndReconstructions(vae, data.test.tensors[0].narrow(0, 0, 32))) },
      ],
    };
  },
  sample: (model, _data, { count, seed }) => ({ images: noGrad(() => (model as Vae).decode(randn([count ?? 64, LATENT], { generator: new Generator(seed) }))) }),
});
