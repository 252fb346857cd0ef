// Small language model: makemore's MLP (Bengio et al. 2003) on 32,033 names: the previous 3 characters, each
// embedded, concatenated, one hidden layer with batch normalization and tanh, the next character's logits.
import { Generator, type Tensor, nn, noGrad, tensor } from '../../index.js';
import { TensorDataset, type CharVocabulary } from '../../data/index.js';
import { datasets } from '../../node/index.js';
import { type RecipeData, type SampleOptions, defineRecipe } from '../recipe.js';
import { datasetOptions, sampleLogits, seededSplit } from './common.js';

export const NAMES_CONTEXT = 3;

/**
 * Every (previous `context` characters, next character) pair of the words, each word padded with '.' (index 0)
 * in front and ended by '.': 'emma' gives ... -> e, ..e -> m, .em -> m, emm -> a, mma -> '.'.
 * @example const ds = nameExamples(['emma'], vocab, 3); ds.length // 5
 */
export function nameExamples(words: string[], vocab: CharVocabulary, context: number): TensorDataset {
  const x: number[] = [];
  const y: number[] = [];
  for (const word of words) {
    const window = new Array<number>(context).fill(0);
    for (const id of [...vocab.encode(word), 0]) {
      x.push(...window);
      y.push(id);
      window.shift();
      window.push(id);
    }
  }
  return new TensorDataset(tensor(x, { shape: [y.length, context], dtype: 'int32' }), tensor(y, { dtype: 'int32' }));
}

/** makemore's MLP: embeddings of the context characters -> hidden layer (BN, tanh) -> next-character logits. */
export function namesMlp(vocabSize: number, context = NAMES_CONTEXT, embedding = 16, hidden = 256): nn.Module {
  return new nn.Sequential(
    new nn.Embedding(vocabSize, embedding),
    new nn.Flatten(),
    new nn.Linear(context * embedding, hidden, { bias: false }), // no bias: batch norm removes it
    new nn.BatchNorm1d(hidden),
    new nn.Tanh(),
    new nn.Linear(hidden, vocabSize),
  );
}

/** New words from the model: characters drawn one at a time until '.' (or 30 characters). */
export function generateNames(model: nn.Module, vocab: CharVocabulary, { count, temperature, topK, seed }: Pick<SampleOptions, 'count' | 'temperature' | 'topK' | 'seed'>): string[] {
  const generator = new Generator(seed);
  const wasTraining = model.training;
  model.eval();
  const names = noGrad(() => Array.from({ length: count ?? 20 }, () => {
    const window = new Array<number>(NAMES_CONTEXT).fill(0);
    const out: number[] = [];
    while (out.length < 30) {
      const logits: Tensor = model(tensor([window], { dtype: 'int32' })).select(0, 0);
      const next = sampleLogits(logits, { temperature, topK, generator });
      if (next === 0) break;
      out.push(next);
      window.shift();
      window.push(next);
    }
    return vocab.decode(out);
  }));
  model.train(wasTraining);
  return names;
}

interface NamesData extends RecipeData {
  vocab: CharVocabulary;
  trainWords: Set<string>;
}

export const namesMlpRecipe = defineRecipe<NamesData>({
  name: 'names-mlp',
  description: "makemore's MLP (3 characters of context, embeddings 16, hidden 256 with BN and tanh) on 32,033 names, 90%/10% of the names",
  bar: 'validation loss <= 2.25 nats/char',
  async data(source) {
    const { words, vocab } = await datasets.names(datasetOptions(source));
    const split = seededSplit(words.length, 0.9);
    const trainWords = split.train.map((i) => words[i]);
    return {
      train: nameExamples(trainWords, vocab, NAMES_CONTEXT),
      test: nameExamples(split.test.map((i) => words[i]), vocab, NAMES_CONTEXT),
      vocab,
      trainWords: new Set(trainWords),
    };
  },
  model: (data) => namesMlp(data.vocab.chars.length),
  loss: nn.functional.crossEntropy,
  metrics: [],
  evalBatchSize: 5000,
  defaults: { optimizer: 'adamw', lr: 3e-3, batchSize: 128, epochs: 5, weightDecay: 0.01, scheduler: 'cosine' },
  extras: (model, data) => ({
    notes: () => {
      const names = generateNames(model, data.vocab, { count: 20, temperature: 1, topK: 0, seed: 0 });
      return [`20 sampled names (* not in the training names): ${names.map((n) => (data.trainWords.has(n) ? n : `${n}*`)).join(', ')}`];
    },
  }),
  sample: (model, data, options) => ({ text: generateNames(model, data.vocab, options).join('\n') }),
});
