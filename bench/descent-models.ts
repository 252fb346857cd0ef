// descent's side of W5-W8, written with the public API as a user would (bench/torch_models.py is the twin).
import * as dt from '../src/index.js';
import { mnistCnn } from '../src/cli/recipes.js';
import {
  CHAR_BATCH, CNN, CONTEXT, type CharCorpus, GPT, LSTM, SEED, type StepWorkload, VAE,
  charBatch, fashionBatch, loadCorpus, mnistBatch,
} from './workloads.js';

const { nn } = dt;
type Tensor = dt.Tensor;

/**
 * A model ready to train: `step(k)` trains on batch k and returns the loss; `stepAsync(k)` the same with
 * an asynchronous read of the loss (`await loss.data()`), the read every device has (webgpu has no other).
 */
export interface DescentRun {
  model: dt.nn.Module;
  step(k: number): number;
  stepAsync(k: number): Promise<number>;
}

/** A run of `model` whose optimizer step on batch k minimizes `loss(k)`. */
function descentRunOf(model: dt.nn.Module, opt: dt.optim.Optimizer, loss: (k: number) => Tensor): DescentRun {
  const train = (k: number) => {
    opt.zeroGrad();
    const value = loss(k);
    value.backward();
    opt.step();
    return value;
  };
  return { model, step: (k) => train(k).item(), stepAsync: async (k) => (await train(k).data())[0] };
}

/** W5: the CNN of `npm start` (src/cli/recipes.ts), Adam at the recipe's rate. */
function cnn(): DescentRun {
  const model = mnistCnn();
  const opt = new dt.optim.Adam(model.parameters(), { lr: CNN.lr });
  return descentRunOf(model, opt, (k) => {
    const { images, labels } = mnistBatch(k);
    const x = dt.tensor(images, { shape: [CNN.batch, 1, 28, 28] });
    return nn.functional.crossEntropy(model(x) as Tensor, dt.tensor(labels));
  });
}

/** W6: a pre-norm GPT: token and position embeddings, causal encoder layers (GELU MLP 4x), final norm, linear head. */
class CharGpt extends nn.Module<[Tensor], Tensor> {
  tokenEmbedding: dt.nn.Embedding;
  positionEmbedding: dt.nn.Embedding;
  blocks: dt.nn.ModuleList;
  norm: dt.nn.LayerNorm;
  head: dt.nn.Linear;
  private readonly causal = dt.triu(dt.ones([CONTEXT, CONTEXT]), 1).bool();
  private readonly positions = dt.arange(0, CONTEXT, 1, { dtype: 'int32' });

  constructor(vocab: number) {
    super();
    const d = GPT.dModel;
    this.tokenEmbedding = new nn.Embedding(vocab, d);
    this.positionEmbedding = new nn.Embedding(CONTEXT, d);
    this.blocks = new nn.ModuleList(Array.from({ length: GPT.layers }, () =>
      new nn.TransformerEncoderLayer(d, GPT.heads, { dimFeedforward: 4 * d, dropout: 0, activation: 'gelu', batchFirst: true, normFirst: true })));
    this.norm = new nn.LayerNorm(d);
    this.head = new nn.Linear(d, vocab);
  }

  forward(tokens: Tensor): Tensor {
    let x = dt.add(this.tokenEmbedding(tokens), this.positionEmbedding(this.positions));
    for (const block of this.blocks) x = (block as dt.nn.TransformerEncoderLayer)(x, { srcMask: this.causal });
    return this.head(this.norm(x));
  }
}

/** W7: embedding, one LSTM layer, a linear head on every position. */
class CharLstm extends nn.Module<[Tensor], Tensor> {
  embedding: dt.nn.Embedding;
  lstm: dt.nn.LSTM;
  head: dt.nn.Linear;

  constructor(vocab: number) {
    super();
    this.embedding = new nn.Embedding(vocab, LSTM.embedding);
    this.lstm = new nn.LSTM(LSTM.embedding, LSTM.hidden, { batchFirst: true });
    this.head = new nn.Linear(LSTM.hidden, vocab);
  }

  forward(tokens: Tensor): Tensor {
    const [out] = this.lstm(this.embedding(tokens));
    return this.head(out);
  }
}

/** W6 and W7: next-character cross-entropy over every position of batch k. */
function charModel(model: dt.nn.Module<[Tensor], Tensor>, opt: dt.optim.Optimizer, corpus: CharCorpus): DescentRun {
  return descentRunOf(model, opt, (k) => {
    const { x, y } = charBatch(corpus, k);
    const tokens = dt.tensor(x, { shape: [CHAR_BATCH, CONTEXT] });
    return nn.functional.crossEntropy(model(tokens).reshape([-1, corpus.vocab]), dt.tensor(y));
  });
}

/** W8: a VAE with MLP encoder (mean and log-variance heads) and decoder; loss = BCE + KL, summed, per sample. */
class Vae extends nn.Module<[Tensor], [Tensor, Tensor, Tensor]> {
  fc1 = new nn.Linear(784, VAE.hidden);
  fcMu = new nn.Linear(VAE.hidden, VAE.latent);
  fcLogvar = new nn.Linear(VAE.hidden, VAE.latent);
  fc3 = new nn.Linear(VAE.latent, VAE.hidden);
  fc4 = new nn.Linear(VAE.hidden, 784);

  forward(x: Tensor): [Tensor, Tensor, Tensor] {
    const h = dt.relu(this.fc1(x));
    const mu = this.fcMu(h);
    const logvar = this.fcLogvar(h);
    const z = dt.add(mu, dt.mul(dt.exp(dt.mul(logvar, 0.5)), dt.randn(mu.shape)));
    return [dt.sigmoid(this.fc4(dt.relu(this.fc3(z)))), mu, logvar];
  }
}

function vae(): DescentRun {
  const model = new Vae();
  const opt = new dt.optim.Adam(model.parameters(), { lr: VAE.lr });
  return descentRunOf(model, opt, (k) => {
    const x = dt.tensor(fashionBatch(k), { shape: [VAE.batch, 784] });
    const [reconstruction, mu, logvar] = model(x);
    const bce = nn.functional.binaryCrossEntropy(reconstruction, x, { reduction: 'sum' });
    const kl = dt.mul(dt.sum(dt.sub(dt.sub(dt.add(logvar, 1), dt.square(mu)), dt.exp(logvar))), -0.5);
    return dt.div(dt.add(bce, kl), VAE.batch);
  });
}

/** Builds workload `name` from the seed (manualSeed(SEED) draws PyTorch's initial weights). */
export function descentRun(name: StepWorkload): DescentRun {
  dt.manualSeed(SEED);
  switch (name) {
    case 'W5': return cnn();
    case 'W6': {
      const corpus = loadCorpus();
      const model = new CharGpt(corpus.vocab);
      return charModel(model, new dt.optim.AdamW(model.parameters(), { lr: GPT.lr, weightDecay: GPT.weightDecay }), corpus);
    }
    case 'W7': {
      const corpus = loadCorpus();
      const model = new CharLstm(corpus.vocab);
      return charModel(model, new dt.optim.Adam(model.parameters(), { lr: LSTM.lr }), corpus);
    }
    case 'W8': return vae();
  }
}

/** Sum of every parameter element, for `npm run bench check` (equal initial weights give equal sums). */
export function parameterSum(model: dt.nn.Module): number {
  let total = 0;
  for (const p of model.parameters()) total += dt.sum(p).item();
  return total;
}
