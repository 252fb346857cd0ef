// Language model: a character-level GPT on tiny Shakespeare. Token and position embeddings, two pre-norm Transformer
// blocks with causal self-attention, AdamW with warmup and cosine decay, gradient clipping. Reaches a validation loss
// of about 1.75 nats per character in 5 epochs, then writes Shakespeare-like text.
// Run: npm run build && node examples/char-gpt.ts      (MAX_STEPS=20 for a quick try; DESCENT_DATA=folder of data sets)
import * as dt from 'descent';
import { datasets } from 'descent/node';

const { nn } = dt;
const source = process.env.DESCENT_DATA ? { root: process.env.DESCENT_DATA } : { download: true };
const maxSteps = Number(process.env.MAX_STEPS) || undefined;
const CONTEXT = 64;
const corpus = await datasets.tinyShakespeare(source); // character indices, 90% train and 10% validation
const vocabSize = corpus.vocab.chars.length; // 65

class CharGpt extends nn.Module<[dt.Tensor], dt.Tensor> {
  tokenEmbedding = new nn.Embedding(vocabSize, 64);
  positionEmbedding = new nn.Embedding(CONTEXT, 64);
  blocks = new nn.TransformerEncoder(
    new nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 256, dropout: 0, activation: 'gelu', batchFirst: true, normFirst: true }),
    2,
  );
  norm = new nn.LayerNorm(64);
  head = new nn.Linear(64, vocabSize);

  forward(tokens: dt.Tensor): dt.Tensor { // [B, T] -> logits of the next character [B, T, vocabSize]
    const h = this.tokenEmbedding(tokens).add(this.positionEmbedding(dt.arange(0, tokens.shape[1], 1, { dtype: 'int32' })));
    return this.head(this.norm(this.blocks(h, { isCausal: true })));
  }
}

// non-overlapping windows of CONTEXT characters; the target is the window shifted by one character
function windows(ids: dt.Tensor): dt.data.TensorDataset {
  const n = Math.floor((ids.shape[0] - 1) / CONTEXT);
  return new dt.data.TensorDataset(ids.narrow(0, 0, n * CONTEXT).view(n, CONTEXT), ids.narrow(0, 1, n * CONTEXT).view(n, CONTEXT));
}

dt.manualSeed(0);
const model = new CharGpt();
const epochs = 5;
const warmup = 100;
const trainLoader = new dt.data.DataLoader(windows(corpus.train), { batchSize: 32, shuffle: true, generator: new dt.Generator(0) });
const valLoader = new dt.data.DataLoader(windows(corpus.val), { batchSize: 256 });
const optimizer = new dt.optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.1 });
const { LinearLR, CosineAnnealingLR, SequentialLR } = dt.optim.lrScheduler;
const steps = epochs * trainLoader.length;
const scheduler = new SequentialLR(optimizer, [new LinearLR(optimizer, 1 / warmup, 1, warmup), new CosineAnnealingLR(optimizer, steps - warmup, 3e-4)], [warmup]);
const loss = (logits: dt.Tensor, targets: dt.Tensor) => nn.functional.crossEntropy(logits.flatten(0, 1), targets.flatten());
await dt.train.fit(model, {
  data: trainLoader, valData: valLoader, loss, optimizer, scheduler, schedulerInterval: 'step', clipGradNorm: 1, epochs, maxSteps,
  callbacks: [{ onEpochEnd: (_trainer, epoch, logs) => console.log(`epoch ${epoch}: validation loss ${logs.val_loss.toFixed(4)} nats/char`) }],
});
console.log(`validation loss ${dt.train.evaluate(model, valLoader, { loss }).loss.toFixed(4)} nats/char`);

// generate: feed the last CONTEXT characters, sample the next from the softmax of logits / temperature among the top k
function generate(prompt: string, length: number, temperature = 0.8, topK = 10): string {
  const generator = new dt.Generator(0);
  const ids = Array.from(corpus.vocab.encode(prompt));
  model.eval();
  dt.noGrad(() => {
    for (let i = 0; i < length; i++) {
      const logits = model(dt.tensor([ids.slice(-CONTEXT)], { dtype: 'int32' })).select(0, 0).select(0, -1).div(temperature);
      const kth = dt.topk(logits, topK).values.select(0, topK - 1).item();
      const probs = logits.maskedFill(logits.lt(kth), -Infinity).softmax(-1);
      ids.push(dt.multinomial(probs, 1, false, generator).item());
    }
  });
  return corpus.vocab.decode(ids);
}
console.log(generate('ROMEO:', 300));
