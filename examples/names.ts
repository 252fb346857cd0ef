// Small language model: makemore's MLP (Bengio et al. 2003) on 32,033 names. The previous 3 characters are embedded,
// concatenated and fed to a hidden layer; the output is the next character. Reaches a validation loss of about 2.1
// nats per character in 5 epochs, then makes up new names.
// Run: npm run build && node examples/names.ts      (MAX_STEPS=20 for a quick try; DESCENT_DATA=folder of data sets)
import * as dt from 'descent';
import { datasets } from 'descent/node';

const { nn } = dt;
const source = process.env.DESCENT_DATA ? { root: process.env.DESCENT_DATA } : { download: true };
const maxSteps = Number(process.env.MAX_STEPS) || undefined;
const CONTEXT = 3;
const { words, vocab } = await datasets.names(source); // vocab: '.' (start and end of a name), then a-z

// every (3 previous characters, next character) pair: 'emma' gives ... -> e, ..e -> m, .em -> m, emm -> a, mma -> .
function examples(names: string[]): dt.data.TensorDataset {
  const x: number[][] = [];
  const y: number[] = [];
  for (const name of names) {
    let context = [0, 0, 0];
    for (const next of [...vocab.encode(name), 0]) {
      x.push(context);
      y.push(next);
      context = [...context.slice(1), next];
    }
  }
  return new dt.data.TensorDataset(dt.tensor(x, { dtype: 'int32' }), dt.tensor(y, { dtype: 'int32' }));
}

// 90% of the names to train on, 10% held out (a fixed random split)
const order = Array.from(dt.randperm(words.length, { generator: new dt.Generator(0) }).dataSync());
const cut = Math.floor(0.9 * words.length);
const trainNames = order.slice(0, cut).map((i) => words[i]);
const train = examples(trainNames);
const val = examples(order.slice(cut).map((i) => words[i]));

dt.manualSeed(0);
const model = new nn.Sequential(
  new nn.Embedding(vocab.chars.length, 16),
  new nn.Flatten(), // [B, 3, 16] -> [B, 48]
  new nn.Linear(CONTEXT * 16, 256, { bias: false }), // batch norm makes a bias useless
  new nn.BatchNorm1d(256),
  new nn.Tanh(),
  new nn.Linear(256, vocab.chars.length),
);
const epochs = 5;
const trainLoader = new dt.data.DataLoader(train, { batchSize: 128, shuffle: true, generator: new dt.Generator(0) });
const valLoader = new dt.data.DataLoader(val, { batchSize: 5000 });
const optimizer = new dt.optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
await dt.train.fit(model, {
  data: trainLoader, valData: valLoader, loss: nn.functional.crossEntropy, optimizer, epochs, maxSteps,
  scheduler: new dt.optim.lrScheduler.CosineAnnealingLR(optimizer, epochs * trainLoader.length), schedulerInterval: 'step',
  callbacks: [{ onEpochEnd: (_trainer, epoch, logs) => console.log(`epoch ${epoch}: validation loss ${logs.val_loss.toFixed(4)} nats/char`) }],
});
console.log(`validation loss ${dt.train.evaluate(model, valLoader, { loss: nn.functional.crossEntropy }).loss.toFixed(4)} nats/char`);

// new names: draw one character at a time from the model until it says '.'
model.eval();
const generator = new dt.Generator(0);
const known = new Set(trainNames);
const made = dt.noGrad(() => Array.from({ length: 20 }, () => {
  let context = [0, 0, 0];
  let name = '';
  while (name.length < 30) {
    const probs = model(dt.tensor([context], { dtype: 'int32' })).select(0, 0).softmax(-1);
    const next = dt.multinomial(probs, 1, false, generator).item();
    if (next === 0) break;
    name += vocab.chars[next];
    context = [...context.slice(1), next];
  }
  return known.has(name) ? name : `${name}*`;
}));
console.log(`sampled names (* new, not among the training names): ${made.join(', ')}`);
