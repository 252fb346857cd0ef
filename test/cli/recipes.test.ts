import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dt from '../../src/index.js';
import { decodePng } from '../../src/node/index.js';
import { RECIPES } from '../../src/cli/recipes.js';
import { CharGpt, charWindows, generateText } from '../../src/cli/apps/char-gpt.js';
import { nameExamples, namesMlp } from '../../src/cli/apps/names.js';
import { bagOfWordsMlp, buildVocabulary, encodeTexts, tokenize } from '../../src/cli/apps/text.js';
import { CLIP_LENGTH, logMelFeatures, speechCnn } from '../../src/cli/apps/speech.js';
import { MatrixFactorization, NeuralCF } from '../../src/cli/apps/movielens.js';
import { LATENT, Vae } from '../../src/cli/apps/vae.js';
import { Dcgan, NOISE } from '../../src/cli/apps/dcgan.js';
import { sampleLogits, seededSplit } from '../../src/cli/apps/common.js';
import { mnistCnn } from '../../src/cli/apps/mnist.js';
import { runDescent, sharedData, tempDir } from '../helpers.js';

const data = sharedData();
const needsData = data ? false : 'needs ../shared/data or DESCENT_DATA';
const tmp = () => tempDir('descent-recipes-');
const ints = (values: number[][]) => dt.tensor(values, { dtype: 'int32' });

test('descent recipes lists every recipe with what a full run reaches', () => {
  const r = runDescent('recipes');
  assert.equal(r.code, 0);
  for (const recipe of Object.values(RECIPES)) {
    assert.match(r.stdout, new RegExp(`^${recipe.name} +${recipe.description.replace(/[()+.*?^$[\]{}|\\]/g, '\\$&')}$`, 'm'));
    if (recipe.bar) assert.ok(r.stdout.includes(`bar: ${recipe.bar}`), recipe.name);
  }
});

test('the models take and give the shapes of their data', () => {
  dt.manualSeed(0);
  assert.deepEqual(mnistCnn(16)(dt.zeros([2, 1, 28, 28])).shape, [2, 10]);
  assert.deepEqual(new CharGpt(65, { context: 16, dModel: 32, heads: 4, layers: 2 })(ints([[1, 2, 3], [4, 5, 6]])).shape, [2, 3, 65]);
  assert.deepEqual(namesMlp(27)(ints([[0, 0, 5], [0, 5, 13]])).shape, [2, 27]);
  assert.deepEqual(bagOfWordsMlp(50, 2)(ints([[2, 3, 0], [4, 0, 0]])).shape, [2, 2]);
  const features = logMelFeatures(dt.randn([2, 1, CLIP_LENGTH]).mul(0.1));
  assert.deepEqual(features.shape, [2, 1, 40, 101]);
  assert.deepEqual(speechCnn()(features).shape, [2, 10]);
  const pairs = ints([[0, 3], [1, 2]]);
  const mf = new MatrixFactorization(2, 4, 3.5);
  assert.deepEqual(mf(pairs).shape, [2]);
  assert.ok(Math.abs(mf(pairs).sub(3.5).abs().max().item()) < 0.01, 'starts near the mean rating (small factors, zero biases)');
  assert.deepEqual(mf.scores(pairs).penalty.shape, []);
  assert.deepEqual(new NeuralCF(2, 4, 3.5)(pairs).shape, [2]);
  const vae = new Vae();
  const images = dt.rand([2, 1, 28, 28]);
  assert.deepEqual(vae.negativeElbo(images).shape, [2]);
  assert.deepEqual(vae(images).shape, [2, 1, 28, 28]);
  assert.deepEqual(vae.decode(dt.randn([3, LATENT])).shape, [3, 1, 28, 28]);
  const gan = new Dcgan();
  const fake = gan(dt.randn([2, NOISE]));
  assert.deepEqual(fake.shape, [2, 1, 28, 28]);
  assert.ok(fake.abs().max().item() <= 1, 'tanh output');
  assert.deepEqual(gan.discriminator(fake).shape, [2, 1]);
});

test('data helpers: windows, name examples, words, splits, sampling', () => {
  const windows = charWindows(dt.tensor([0, 1, 2, 3, 4, 5, 6], { dtype: 'int32' }), 3);
  assert.deepEqual(windows.tensors[0].toArray(), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(windows.tensors[1].toArray(), [[1, 2, 3], [4, 5, 6]]);
  const vocab = dt.data.charVocabulary('ema', ['.']);
  const names = nameExamples(['emma'], vocab, 3);
  assert.deepEqual(names.tensors[0].toArray(), [[0, 0, 0], [0, 0, 2], [0, 2, 3], [2, 3, 3], [3, 3, 1]]);
  assert.deepEqual(names.tensors[1].toArray(), [2, 3, 3, 1, 0]);
  assert.deepEqual(tokenize('WIN £1000 now!! Call'), ['win', '£1000', 'now', '!', '!', 'call']);
  const words = buildVocabulary(['b a a', 'c b a', 'd'], 2);
  assert.deepEqual([...words], [['a', 2], ['b', 3]]);
  assert.deepEqual(encodeTexts(['a x b', 'b'], words).toArray(), [[2, 1, 3], [3, 0, 0]]);
  const split = seededSplit(10, 0.8);
  assert.deepEqual(split.train.length, 8);
  assert.deepEqual([...split.train, ...split.test].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...split.train, ...split.test], Array.from(dt.randperm(10, { generator: new dt.Generator(0) }).dataSync()));
  const logits = dt.tensor([0, 5, 4, -1, 3]);
  const drawn = new Set(Array.from({ length: 50 }, (_, i) => sampleLogits(logits, { temperature: 1, topK: 2, generator: new dt.Generator(i) })));
  assert.deepEqual([...drawn].sort(), [1, 2], 'top-k keeps the k most likely');
  assert.equal(sampleLogits(logits, { temperature: 1e-3, topK: 0, generator: new dt.Generator(0) }), 1, 'a low temperature picks the most likely');
});

test('generated text continues its prompt and keeps to the context', () => {
  dt.manualSeed(0);
  const vocab = dt.data.charVocabulary('abc\n');
  const gpt = new CharGpt(vocab.chars.length, { context: 4, dModel: 8, heads: 2, layers: 1 });
  const text = generateText(gpt, vocab, { prompt: 'abcab', length: 12, temperature: 1, topK: 0, seed: 0 });
  assert.equal(text.length, 17);
  assert.ok(text.startsWith('abcab'));
  assert.equal(generateText(gpt, vocab, { prompt: 'abcab', length: 12, temperature: 1, topK: 0, seed: 0 }), text, 'seeded');
});

/** How many steps a smoke run takes, and what it must print and write. */
interface Smoke {
  steps: number;
  args?: string[];
  /** The loss of the last steps below that of the first (default true). */
  decreasing?: boolean;
  /** Images embedded in the report. */
  images?: number;
  prints?: RegExp;
}

const SMOKE: Record<string, Smoke> = {
  'fashion-cnn': { steps: 10 },
  'char-gpt': { steps: 8, args: ['--warmup-steps', '2'], prints: /^sample \(temperature 0\.8, top-k 10\): ".{300,}"$/m },
  'names-mlp': { steps: 10, prints: /^20 sampled names \(\* not in the training names\): (\w+\*?, ){19}\w+\*?$/m },
  'sms-spam': { steps: 10 },
  sentiment: { steps: 20 },
  'speech-digits': { steps: 30 },
  'movielens-mf': { steps: 40, prints: /^top 10 for user 1: (.+ \(\d\.\d\d\); ){9}.+ \(\d\.\d\d\)$/m },
  'movielens-ncf': { steps: 40, prints: /^top 10 for user 1: (.+ \(\d\.\d\d\); ){9}.+ \(\d\.\d\d\)$/m },
  vae: { steps: 10, images: 1 }, // no epoch ends in 10 steps: the reconstructions only (and no ELBO note)
  dcgan: { steps: 3, decreasing: false, images: 1, args: ['--json'], prints: /^RESULT \{"steps":3,"epochs":1,"seconds":[\d.]+,"discriminator_loss":[\d.]+,"generator_loss":[\d.]+\}$/m }, // the samples after the (cut) first epoch
};

test('every application recipe has a smoke test', () => {
  assert.deepEqual(Object.keys(SMOKE).sort(), Object.keys(RECIPES).filter((r) => !r.startsWith('mnist-')).sort());
});

const runs: Record<string, string> = {};

for (const [name, smoke] of Object.entries(SMOKE)) {
  test(`descent train ${name}: a few steps on the real data, the report written`, { skip: name !== 'dcgan' && needsData }, () => {
    const dir = join(tmp(), name);
    const r = runDescent('train', name, '--max-steps', String(smoke.steps), '--out', dir, '--no-progress', ...(data ? ['--data', data] : []), ...(smoke.args ?? []));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`stopped: reached maxSteps \\(${smoke.steps} steps\\)`));
    const steps = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'step');
    assert.deepEqual(steps.map((s) => s.step), Array.from({ length: smoke.steps }, (_, i) => i + 1));
    const losses = steps.map((s) => s.loss ?? s.loss_d);
    assert.ok(losses.every(Number.isFinite), `finite losses: ${losses}`);
    if (smoke.decreasing !== false) {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      assert.ok(mean(losses.slice(-3)) < mean(losses.slice(0, 3)), `the loss decreases: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
    }
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.equal(html.match(/<img alt=/g)?.length ?? 0, smoke.images ?? 0, 'images in the report');
    if (smoke.prints) assert.match(r.stdout, smoke.prints);
    assert.ok(existsSync(join(dir, 'checkpoint-' + String(smoke.steps).padStart(8, '0'), 'model.safetensors')));
    runs[name] = dir;
  });
}

test('char-gpt: warmup then cosine decay to a tenth, gradients clipped', { skip: needsData }, () => {
  assert.ok(runs['char-gpt'], 'the smoke test of char-gpt makes the run read here');
  const config = JSON.parse(readFileSync(join(runs['char-gpt'], 'config.json'), 'utf8'));
  assert.equal(config.scheduler, 'warmup-cosine');
  assert.equal(config.clipGradNorm, 1);
  assert.equal(config.weightDecay, 0.1);
  const lrs = readFileSync(join(runs['char-gpt'], 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'step').map((s) => s.lr);
  // after step s of 8: LinearLR from lr/2 to lr over 2 steps, then cosine from lr to lr/10 over the other 6
  const [lr, warmup, total] = [3e-3, 2, 8];
  const expected = Array.from({ length: total }, (_, i) => {
    const s = i + 1;
    return s < warmup ? lr * (1 / warmup + (1 - 1 / warmup) * (s / warmup)) : lr / 10 + (lr - lr / 10) * (1 + Math.cos((Math.PI * (s - warmup)) / (total - warmup))) / 2;
  });
  lrs.forEach((v: number, i: number) => assert.ok(Math.abs(v - expected[i]) < 1e-9, `step ${i + 1}: lr ${v}, expected ${expected[i]}`));
});

test('descent sample: text, names, images and recommendations from trained runs', { skip: needsData }, () => {
  for (const recipe of ['char-gpt', 'names-mlp', 'vae', 'dcgan', 'movielens-mf']) assert.ok(runs[recipe], `the smoke test of ${recipe} makes the run sampled here`);
  const text = runDescent('sample', runs['char-gpt'], '--length', '40', '--prompt', 'ROMEO:', '--top-k', '5', '--data', data!);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stdout.length, 'ROMEO:'.length + 40 + 1);
  assert.ok(text.stdout.startsWith('ROMEO:'));
  const names = runDescent('sample', runs['names-mlp'], '--count', '5', '--data', data!);
  assert.equal(names.code, 0, names.stderr);
  assert.equal(names.stdout.trim().split('\n').length, 5);
  for (const recipe of ['vae', 'dcgan']) {
    const file = join(tmp(), `${recipe}.png`);
    const images = runDescent('sample', runs[recipe], '--count', '16', '--out', file, '--data', data!);
    assert.equal(images.code, 0, images.stderr);
    const png = decodePng(readFileSync(file));
    assert.deepEqual([png.width, png.height], [8 * 30 + 2, 2 * 30 + 2], `${recipe}: a grid of 16 images, 8 a row`);
  }
  const top = runDescent('sample', runs['movielens-mf'], '--user', '414', '--data', data!);
  assert.equal(top.code, 0, top.stderr);
  assert.match(top.stdout, /^( \d|10)\. \d\.\d\d {2}.+(\n( \d|10)\. \d\.\d\d {2}.+){9}\n$/);
});

test('commands refuse what a recipe cannot do, by name', () => {
  const cases: [string[], RegExp][] = [
    [['train', 'dcgan', '--scheduler', 'cosine'], /dcgan trains with a loop of its own, which takes --lr, --batch-size, .*; not --scheduler/],
    [['train', 'dcgan', '--resume'], /not --resume/],
    [['compare', '--recipe', 'char-gpt'], /ranks runs by held-out accuracy, which the recipe 'char-gpt' does not measure/],
    [['lr-find', 'dcgan'], /the recipe 'dcgan' trains with a loop of its own \(two optimizers\), which lr-find cannot run/],
    [['tune', '--recipe', 'dcgan', '--space', '{"lr": [0.1]}'], /which tune cannot run/],
    ...(data ? [
      [['train', 'movielens-mf', '--weight-decay', '0.1', '--out', tmp(), '--data', data], /sparse-adam has no weight decay \(got --weight-decay 0\.1\)/],
      [['train', 'char-gpt', '--max-steps', '50', '--warmup-steps', '60', '--out', tmp(), '--data', data], /--warmup-steps \(60\) must be below the steps the warmup-cosine schedule spans \(50\)/],
      [['sample', runs['fashion-cnn'] ?? join(tmp(), 'none'), '--data', data], /the recipe 'fashion-cnn' does not generate anything \(it classifies\); sample from one of: char-gpt, names-mlp, movielens-mf, movielens-ncf, vae, dcgan/],
    ] as [string[], RegExp][] : []),
  ];
  for (const [args, pattern] of cases) {
    const r = runDescent(...args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, pattern, args.join(' '));
  }
});
