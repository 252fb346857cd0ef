// Text classification: a bag of words (the mean of learned word embeddings, EmbeddingBag) and an MLP, trained on the
// SMS Spam Collection (ham or spam; about 98.5% test accuracy) and on Sentiment Labelled Sentences (about 80%).
// Run: npm run build && node examples/text-classification.ts      (MAX_STEPS=20 for a quick try; DESCENT_DATA=folder of data sets)
import * as dt from 'descent';
import { datasets } from 'descent/node';

const { nn } = dt;
const source = process.env.DESCENT_DATA ? { root: process.env.DESCENT_DATA } : { download: true };
const maxSteps = Number(process.env.MAX_STEPS) || undefined;

const tokenize = (text: string) => text.toLowerCase().match(/[a-z0-9£$€]+|[!?]/g) ?? [];

async function classify(name: string, texts: string[], labels: number[]): Promise<void> {
  // 80% to train on, 20% held out (a fixed random split)
  const order = Array.from(dt.randperm(texts.length, { generator: new dt.Generator(0) }).dataSync());
  const cut = Math.floor(0.8 * texts.length);
  const [trainIds, testIds] = [order.slice(0, cut), order.slice(cut)];
  // the vocabulary: training words seen twice or more, most frequent first; 0 pads a text, 1 is an unknown word
  const counts = new Map<string, number>();
  for (const i of trainIds) for (const w of tokenize(texts[i])) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts].filter(([, c]) => c >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const vocab = new Map(words.map((w, i) => [w, i + 2]));
  const encode = (ids: number[]) => {
    const rows = ids.map((i) => tokenize(texts[i]).slice(0, 100).map((w) => vocab.get(w) ?? 1));
    const length = Math.max(1, ...rows.map((r) => r.length));
    const padded = rows.map((r) => [...r, ...new Array<number>(length - r.length).fill(0)]);
    return new dt.data.TensorDataset(dt.tensor(padded, { dtype: 'int32' }), dt.tensor(ids.map((i) => labels[i]), { dtype: 'int32' }));
  };

  dt.manualSeed(0);
  const model = new nn.Sequential(
    new nn.EmbeddingBag(vocab.size + 2, 64, { mode: 'mean', paddingIdx: 0 }), // [B, length] word indices -> [B, 64]
    new nn.Linear(64, 64),
    new nn.ReLU(),
    new nn.Linear(64, 2),
  );
  const trainLoader = new dt.data.DataLoader(encode(trainIds), { batchSize: 32, shuffle: true, generator: new dt.Generator(0) });
  const testLoader = new dt.data.DataLoader(encode(testIds), { batchSize: 500 });
  await dt.train.fit(model, {
    data: trainLoader, valData: testLoader, loss: nn.functional.crossEntropy, metrics: ['accuracy'], epochs: 10, maxSteps,
    optimizer: new dt.optim.Adam(model.parameters(), { lr: 3e-3 }),
  });
  const { accuracy } = dt.train.evaluate(model, testLoader, { metrics: ['accuracy'] });
  console.log(`${name}: test accuracy ${(100 * accuracy).toFixed(2)}% on ${testIds.length} texts (vocabulary ${vocab.size} words)`);
}

const sms = await datasets.smsSpam(source);
await classify('SMS spam', sms.map((m) => m.text), sms.map((m) => (m.label === 'spam' ? 1 : 0)));
const sentences = await datasets.sentimentSentences(source);
await classify('sentiment', sentences.map((s) => s.text), sentences.map((s) => s.label));
