import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = () => mkdtempSync(join(tmpdir(), 'descent-cli-'));

test('--help everywhere', () => {
  const main = run('--help');
  assert.equal(main.code, 0);
  assert.match(main.stdout, /Commands:\n {2}train .*\n {2}compare .*\n {2}lr-find .*\n {2}tune .*\n {2}eval CHECKPOINT/);
  for (const cmd of ['train', 'compare', 'lr-find', 'tune', 'eval', 'recipes']) {
    const r = run(cmd, '--help');
    assert.equal(r.code, 0, cmd);
    assert.match(r.stdout, new RegExp(`^Usage: descent ${cmd}`), cmd);
  }
  assert.match(run('train', '--help').stdout, /--optimizer NAME +update rule \(one of: sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, adamw/);
});

test('bad commands, flags and values get errors that list the valid choices', () => {
  const cases: [string[], RegExp][] = [
    [['fly'], /unknown command 'fly' \(valid commands: train, compare, lr-find, tune, eval, recipes\)/],
    [['train', '--optimiser', 'adam'], /unknown option --optimiser \(valid options: --recipe, --optimizer/],
    [['train', '--optimizer', 'adamx'], /unknown optimizer 'adamx' \(valid choices: sgd, momentum, nesterov/],
    [['train', 'cifar'], /unknown recipe 'cifar' \(valid choices: mnist-cnn, mnist-mlp\)/],
    [['train', '--lr', 'fast'], /--lr must be a number, got 'fast'/],
    [['train', '--batch-size', '0'], /--batch-size must be a positive integer or 'full', got '0'/],
    [['train', '--epochs', '1.5'], /epochs must be a positive integer, got 1.5/],
    [['compare', '--optimizers', 'sgd,bogus'], /unknown optimizers 'bogus' \(valid choices: sgd/],
    [['eval'], /expected one CHECKPOINT/],
    [['eval', '/no/such/run'], /does not exist/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  const dir = tmp();
  writeFileSync(join(dir, 'c.json'), '{"lr": 0.1, "optimzer": "sgd"}');
  assert.match(run('train', join(dir, 'c.json')).stderr, /unknown key 'optimzer' in .*c\.json \(valid keys: recipe, optimizer/);
});

test('train writes a checkpoint, metrics and a report; eval and resume use them', () => {
  const dir = tmp();
  const config = join(dir, 'config-in.json');
  writeFileSync(config, JSON.stringify({ recipe: 'mnist-mlp', optimizer: 'sgd', lr: 0.1, batchSize: 100 }));
  const r = run('train', config, '--max-steps', '4', '--out', join(dir, 'run'), '--no-progress');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /optimizer sgd lr 0\.1 batch 100/);
  assert.match(r.stdout, /checkpoint: .*checkpoint-00000004\nreport: .*report\.html\nmetrics: .*metrics\.jsonl/);
  const lines = readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.step), [1, 2, 3, 4]);
  assert.ok(readFileSync(join(dir, 'run', 'report.html'), 'utf8').includes('echarts'));
  const e = run('eval', join(dir, 'run'));
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /on 2000 held-out samples:\n {2}loss +\d\.\d{4}\n {2}accuracy +\d\.\d{4}/);
  const again = run('train', config, '--max-steps', '4', '--out', join(dir, 'run'));
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a checkpoint; pass --resume/);
  const resumed = run('train', config, '--max-steps', '6', '--out', join(dir, 'run'), '--resume', '--no-progress');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /resuming .* at epoch 0, step 4/);
  assert.ok(existsSync(join(dir, 'run', 'checkpoint-00000006')));
});

test('compare prints a table of optimizers; lr-find suggests a rate', () => {
  const dir = tmp();
  const c = run('compare', '--optimizers', 'sgd,adam', '--max-steps', '3', '--batch-size', '200', '--out', dir);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /optimizer +batch +init +seed +lr +train loss \(last 10 steps\) +val loss +val accuracy +steps +steps to 0\.9/);
  assert.match(c.stdout, /^(sgd|adam) +/m);
  assert.ok(existsSync(join(dir, 'report.html')));
  // the initialization study: initializers x seeds, with a mean over seeds
  const s = run('compare', '--optimizers', 'sgd', '--inits', 'default,zeros', '--seeds', '0,1', '--max-steps', '3', '--batch-size', '500', '--out', dir);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /mean over seeds:\noptimizer batch init +mean val accuracy +min +max/);
  assert.equal((s.stdout.match(/^sgd +500 +(default|zeros) +[01] /gm) ?? []).length, 4);
  // the variants of gradient descent side by side: full batch, mini-batch
  const v = run('compare', '--optimizers', 'sgd', '--batch-sizes', 'full,500', '--max-steps', '1', '--out', dir);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^sgd +full +default /m);
  assert.match(v.stdout, /^sgd +500 +default /m);
  assert.match(run('compare', '--inits', 'glorot').stderr, /unknown inits 'glorot' \(valid choices: default, xavier-uniform/);
  const f = run('lr-find', 'mnist-mlp', '--steps', '12', '--batch-size', '200', '--out', dir);
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stdout, /suggested learning rate for momentum: \d\.\d\de[-+]\d+/);
});
