// Language model: a character-level GPT on tiny Shakespeare (nanoGPT's shakespeare_char, smaller): token and
// position embeddings, pre-norm Transformer blocks with causal self-attention, AdamW, warmup + cosine, clipping.
import { Generator, Tensor, arange, nn, noGrad, tensor } from '../../index.js';
import { TensorDataset, type CharVocabulary } from '../../data/index.js';
import { datasets } from '../../node/index.js';
import { type RecipeData, type SampleOptions, defineRecipe } from '../recipe.js';
import { datasetOptions, sampleLogits } from './common.js';

export interface GptOptions {
  /** Characters the model sees at once (and the size of the position table). */
  context: number;
  dModel: number;
  heads: number;
  layers: number;
}

/**
 * A decoder-only Transformer over characters: logits [B, T, V] for the next character at every position.
 * @example const gpt = new CharGpt(65, { context: 64, dModel: 64, heads: 4, layers: 2 }); gpt(dt.zeros([1, 8], { dtype: 'int32' })).shape // [1, 8, 65]
 */
export class CharGpt extends nn.Module<[Tensor], Tensor> {
  tokenEmbedding: nn.Embedding;
  positionEmbedding: nn.Embedding;
  blocks: nn.TransformerEncoder;
  norm: nn.LayerNorm;
  head: nn.Linear;
  context: number;

  constructor(vocabSize: number, { context, dModel, heads, layers }: GptOptions) {
    super();
    this.context = context;
    this.tokenEmbedding = new nn.Embedding(vocabSize, dModel);
    this.positionEmbedding = new nn.Embedding(context, dModel);
    const block = new nn.TransformerEncoderLayer(dModel, heads, { dimFeedforward: 4 * dModel, dropout: 0, activation: 'gelu', batchFirst: true, normFirst: true });
    this.blocks = new nn.TransformerEncoder(block, layers);
    this.norm = new nn.LayerNorm(dModel);
    this.head = new nn.Linear(dModel, vocabSize);
  }

  forward(tokens: Tensor): Tensor {
    const positions = arange(0, tokens.shape[1], 1, { dtype: 'int32' });
    const h = this.tokenEmbedding(tokens).add(this.positionEmbedding(positions));
    return this.head(this.norm(this.blocks(h, { isCausal: true })));
  }
}

/**
 * The text as non-overlapping windows of `context` characters, each with its target: the same window shifted by
 * one character (x [N, context], y [N, context]).
 * @example const ds = charWindows(dt.tensor([0, 1, 2, 3, 4], { dtype: 'int32' }), 2); // x [[0, 1], [2, 3]], y [[1, 2], [3, 4]]
 */
export function charWindows(ids: Tensor, context: number): TensorDataset {
  const n = Math.floor((ids.shape[0] - 1) / context);
  return new TensorDataset(ids.narrow(0, 0, n * context).view(n, context), ids.narrow(0, 1, n * context).view(n, context));
}

/**
 * Continues `prompt` by `length` characters, one at a time, each drawn from the model's next-character
 * distribution (temperature, top-k) given the last `context` characters.
 */
export function generateText(model: CharGpt, vocab: CharVocabulary, { prompt, length, temperature, topK, seed }: Pick<SampleOptions, 'prompt' | 'length' | 'temperature' | 'topK' | 'seed'>): string {
  const generator = new Generator(seed);
  const ids = Array.from(vocab.encode(prompt || '\n'));
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let i = 0; i < length; i++) {
      const window = tensor([ids.slice(-model.context)], { dtype: 'int32' });
      const logits = model(window).select(0, 0).select(0, -1);
      ids.push(sampleLogits(logits, { temperature, topK, generator }));
    }
  });
  model.train(wasTraining);
  return vocab.decode(ids);
}

interface CorpusData extends RecipeData {
  vocab: CharVocabulary;
}

export const GPT_OPTIONS: GptOptions = { context: 64, dModel: 64, heads: 4, layers: 2 };

export const charGptRecipe = defineRecipe<CorpusData>({
  name: 'char-gpt',
  description: 'character-level GPT (2 pre-norm blocks, 4 heads, d 64, context 64) on tiny Shakespeare, 90%/10%',
  bar: 'validation loss <= 1.85 nats/char',
  async data(source) {
    const corpus = await datasets.tinyShakespeare(datasetOptions(source));
    return { train: charWindows(corpus.train, GPT_OPTIONS.context), test: charWindows(corpus.val, GPT_OPTIONS.context), vocab: corpus.vocab };
  },
  model: (data) => new CharGpt(data.vocab.chars.length, GPT_OPTIONS),
  loss: (logits, targets) => nn.functional.crossEntropy(logits.flatten(0, 1), targets.flatten()),
  metrics: [],
  evalBatchSize: 256,
  defaults: { optimizer: 'adamw', lr: 3e-3, batchSize: 32, epochs: 5, weightDecay: 0.1, scheduler: 'warmup-cosine', warmupSteps: 100, clipGradNorm: 1 },
  extras: (model, data) => ({
    notes: () => [`sample (temperature 0.8, top-k 10): ${JSON.stringify(generateText(model as CharGpt, data.vocab, { prompt: '\n', length: 300, temperature: 0.8, topK: 10, seed: 0 }))}`],
  }),
  sample: (model, data, options) => ({ text: generateText(model as CharGpt, data.vocab, options) }),
});
