// Text classification: a bag of words (the mean of learned word embeddings, EmbeddingBag) and an MLP, on the SMS
// Spam Collection (ham or spam) and on Sentiment Labelled Sentences (negative or positive).
import { type Tensor, nn, tensor } from '../../index.js';
import { TensorDataset } from '../../data/index.js';
import { datasets } from '../../node/index.js';
import { type DataSource, type RecipeData, defineRecipe } from '../recipe.js';
import { datasetOptions, seededSplit } from './common.js';

/**
 * Lowercase words, numbers and the symbols that carry meaning in short messages (currency, ! and ?).
 * @example tokenize('WIN £1000 now!') // ['win', '£1000', 'now', '!']
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9£$€]+|[!?]/g) ?? [];
}

/** Index 0 pads a bag, 1 stands for a word outside the vocabulary. */
const PAD = 0;
const UNKNOWN = 1;

/**
 * The words seen at least `minCount` times in `texts`, most frequent first (ties alphabetically), after the
 * padding and unknown entries.
 */
export function buildVocabulary(texts: string[], minCount = 2): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of tokenize(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([w]) => w);
  return new Map(words.map((w, i) => [w, i + 2]));
}

/** Texts as word indices padded to a common length (at most `maxLength`): int32 [N, length]. */
export function encodeTexts(texts: string[], vocab: Map<string, number>, maxLength = 100): Tensor {
  const ids = texts.map((t) => tokenize(t).slice(0, maxLength).map((w) => vocab.get(w) ?? UNKNOWN));
  const length = Math.max(1, ...ids.map((x) => x.length));
  const flat = ids.flatMap((x) => [...x, ...new Array<number>(length - x.length).fill(PAD)]);
  return tensor(flat, { shape: [texts.length, length], dtype: 'int32' });
}

/** The classifier: mean word embedding (padding left out), a hidden layer, class logits. */
export function bagOfWordsMlp(vocabSize: number, classes: number, embedding = 64, hidden = 64): nn.Module {
  return new nn.Sequential(
    new nn.EmbeddingBag(vocabSize, embedding, { mode: 'mean', paddingIdx: PAD }),
    new nn.Linear(embedding, hidden),
    new nn.ReLU(),
    new nn.Linear(hidden, classes),
  );
}

interface TextData extends RecipeData {
  vocabSize: number;
}

/** Labelled texts split 80/20 (fixed seed), the vocabulary from the training part. */
function textSplits(texts: string[], labels: number[]): TextData {
  const split = seededSplit(texts.length, 0.8);
  const vocab = buildVocabulary(split.train.map((i) => texts[i]));
  const part = (positions: number[]) => new TensorDataset(
    encodeTexts(positions.map((i) => texts[i]), vocab),
    tensor(positions.map((i) => labels[i]), { dtype: 'int32' }),
  );
  return { train: part(split.train), test: part(split.test), vocabSize: vocab.size + 2 };
}

/** A bag-of-words classifier of the texts and labels that `load` reads from a data source. */
function textRecipe(name: string, description: string, bar: string, metrics: string[], load: (source: DataSource) => Promise<{ texts: string[]; labels: number[] }>) {
  return defineRecipe<TextData>({
    name, description, bar, metrics,
    async data(source) {
      const { texts, labels } = await load(source);
      return textSplits(texts, labels);
    },
    model: (data) => bagOfWordsMlp(data.vocabSize, 2),
    loss: nn.functional.crossEntropy,
    defaults: { optimizer: 'adam', lr: 3e-3, batchSize: 32, epochs: 10 },
  });
}

export const smsSpamRecipe = textRecipe(
  'sms-spam', 'bag of words (EmbeddingBag, mean) + MLP on the SMS Spam Collection (5,574 messages), 80%/20%', 'test accuracy >= 97%', ['accuracy', 'f1'],
  async (source) => {
    const messages = await datasets.smsSpam(datasetOptions(source));
    return { texts: messages.map((m) => m.text), labels: messages.map((m) => (m.label === 'spam' ? 1 : 0)) };
  },
);

export const sentimentRecipe = textRecipe(
  'sentiment', 'the same bag of words + MLP on Sentiment Labelled Sentences (3,000 Amazon, IMDb and Yelp sentences), 80%/20%', 'no bar (reported)', ['accuracy'],
  async (source) => {
    const sentences = await datasets.sentimentSentences(datasetOptions(source));
    return { texts: sentences.map((s) => s.text), labels: sentences.map((s) => s.label) };
  },
);
