import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers.js';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = () => tempDir('descent-cli-');

/** Runs the CLI in this process (for commands that fail before any work: no process to start). */
async function call(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli/main.js');
  const captured = { stdout: '', stderr: '' };
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string) => { captured.stdout += chunk; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => { captured.stderr += chunk; return true; }) as typeof process.stderr.write;
  try {
    return { code: await main(args), ...captured };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

test('--help everywhere', () => {
  const main = run('--help');
  assert.equal(main.code, 0);
  assert.match(main.stdout, /Commands:\n {2}train .*\n {2}compare .*\n {2}lr-find .*\n {2}tune .*\n {2}eval CHECKPOINT.*\n {2}export RUN/);
  for (const cmd of ['train', 'compare', 'lr-find', 'tune', 'eval', 'export', 'recipes']) {
    const r = run(cmd, '--help');
    assert.equal(r.code, 0, cmd);
    assert.match(r.stdout, new RegExp(`^Usage: descent ${cmd}`), cmd);
  }
  assert.match(run('train', '--help').stdout, /--optimizer NAME +update rule \(one of: sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, adamw/);
});

test('bad commands, flags and values get errors that list the valid choices', () => {
  const cases: [string[], RegExp][] = [
    [['fly'], /unknown command 'fly' \(valid commands: train, compare, lr-find, tune, eval, export, recipes\)/],
    [['train', '--optimiser', 'adam'], /unknown option --optimiser \(valid options: --recipe, --optimizer/],
    [['train', '--optimizer', 'adamx'], /unknown optimizer 'adamx' \(valid choices: sgd, momentum, nesterov/],
    [['train', 'cifar'], /unknown recipe 'cifar' \(valid choices: mnist-cnn, mnist-mlp\)/],
    [['train', '--lr', 'fast'], /--lr must be a number, got 'fast'/],
    [['train', '--batch-size', '0'], /--batch-size must be a positive integer or 'full', got '0'/],
    [['train', '--epochs', '1.5'], /--epochs must be a positive integer, got '1.5'/],
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

test('every value is checked before any work, from the command line or a config file (exit 2)', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'file'), '');
  writeFileSync(join(dir, 'bad.json'), '{"lr": "fast"}');
  writeFileSync(join(dir, 'list.json'), '[1, 2]');
  const cases: [string[], RegExp][] = [
    [['train', '--target-accuracy', '5'], /--target-accuracy must be a number in \[0, 1\], got '5'/],
    [['train', '--seed', '1e20'], /--seed must be an integer in \[0, 9007199254740991\], got '1e20'/],
    [['train', '--clip-grad-norm', '-1'], /--clip-grad-norm must be a positive number, got '-1'/],
    [['train', '--patience', '-1'], /--patience must be a non-negative integer/],
    [['train', '--monitor-every', '0'], /--monitor-every must be a positive integer/],
    [['train', join(dir, 'bad.json')], /'lr' in .*bad\.json must be a number, got 'fast'/],
    [['train', join(dir, 'list.json')], /list\.json must hold a JSON object/],
    [['train', '--out', join(dir, 'file', 'run')], /--out: cannot create the folder .*file[\\/]run: .*file is a file, not a folder \(ENOTDIR\)/],
    [['compare', '--optimizers', ''], /--optimizers must be a comma-separated list of at least one value, got ''/],
    [['compare', '--seeds', '1,x'], /--seeds must be non-negative integers, got 'x'/],
    [['lr-find', '--start-lr', '1', '--end-lr', '0.1'], /--start-lr \(1\) must be below --end-lr \(0\.1\)/],
    [['tune', '--space', '{"lr": [0.1]}', '--trials', '0'], /--trials must be a positive integer, got '0'/],
    [['tune', '--space', '{"lr": [0.1]}', '--workers', '0'], /--workers must be a positive integer, got '0'/],
    [['tune', '--space', '{"lr": [0.1]}', '--min-budget', '0'], /--min-budget must be a positive integer, got '0'/],
    [['tune', '--space', '{"lr": [0.1]}', '--metric', 'foo'], /unknown metric 'foo' \(valid choices: val_loss, val_accuracy, train_loss, steps, epochs, seconds\)/],
    [['tune', '--space', '{"lr": ["fast"]}'], /'lr' in --space must be a number, got 'fast'/],
    [['tune', '--space', '{"lr": {"min": 0.1, "max": 0.01}}'], /'lr' in --space must be a list of values or a range \{"min": a, "max": b\} with a < b/],
    [['tune', '--space', '{"maxSteps": [10]}'], /cannot search over 'maxSteps'/],
  ];
  if (existsSync('/proc/self')) cases.push([['train', '--out', '/proc/descent-run'], /--out: cannot create the folder \/proc\/descent-run: \/proc does not accept new folders \(ENOENT\)/]);
  for (const [args, pattern] of cases) {
    const r = await call(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.doesNotMatch(r.stdout, /training|steps;/, `${args.join(' ')}: no work started`);
  }
});

test('every key of a CONFIG.json is applied: out, checkpointEvery, json, progress, resume', () => {
  const dir = tmp();
  const config = join(dir, 'run.json');
  writeFileSync(config, JSON.stringify({ recipe: 'mnist-mlp', batchSize: 500, maxSteps: 4, out: join(dir, 'from-config'), checkpointEvery: 2, json: true, progress: false, scheduler: 'none' }));
  const r = run('train', config);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'from-config', 'checkpoint-00000002')), 'out and checkpointEvery');
  assert.match(r.stdout, /^RESULT \{"steps":4,/m);
  assert.doesNotMatch(r.stderr, /epoch 1\//, 'no progress bar');
  writeFileSync(config, JSON.stringify({ out: join(dir, 'from-config'), resume: true, maxSteps: 6, progress: false }));
  const resumed = run('train', config);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /resuming .* at epoch 0, step 4/);
});

test('resume: the options that define a run cannot change, budgets can, and config.json stays true', () => {
  const dir = tmp();
  const out = join(dir, 'run');
  const first = run('train', 'mnist-mlp', '--batch-size', '500', '--max-steps', '3', '--out', out, '--no-progress');
  assert.equal(first.code, 0, first.stderr);
  const saved = readFileSync(join(out, 'config.json'), 'utf8');
  for (const [flag, value, was] of [['--batch-size', '250', '500'], ['--lr', '0.5', '0.001'], ['--optimizer', 'sgd', 'adam'], ['--seed', '3', '0']]) {
    const r = run('train', '--resume', '--out', out, flag, value, '--max-steps', '5');
    assert.equal(r.code, 2, `${flag}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`was trained with ${flag} ${was}, not ${flag} ${value}; a resumed run keeps the options that define it`));
  }
  assert.equal(readFileSync(join(out, 'config.json'), 'utf8'), saved, 'a refused resume leaves config.json alone');
  // the saved recipe and options are the defaults of a resume; a budget may grow
  const more = run('train', '--resume', '--out', out, '--max-steps', '5', '--lr', '0.001', '--no-progress');
  assert.equal(more.code, 0, more.stderr);
  assert.match(more.stdout, /resuming .* step 3\ntraining mnist-mlp/);
  const after = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(after.maxSteps, 5);
  assert.equal(after.batchSize, 500);
  // a checkpoint folder as --out is refused (it would restart there on every resume)
  const inner = run('train', '--resume', '--out', join(out, 'checkpoint-00000005'), '--max-steps', '7');
  assert.equal(inner.code, 2);
  assert.match(inner.stderr, /checkpoint-00000005 is a checkpoint folder; --out takes its run folder \(.*run\), whose newest checkpoint --resume continues/);
  // a corrupt config.json is named
  writeFileSync(join(out, 'config.json'), '{"recipe": ');
  const corrupt = run('train', '--resume', '--out', out);
  assert.equal(corrupt.code, 2);
  assert.match(corrupt.stderr, /run[\\/]config\.json is not valid JSON/);
});

test('a one-cycle schedule and a budget past its end are refused before training', () => {
  const r = run('train', 'mnist-mlp', '--scheduler', 'onecycle', '--schedule-steps', '5', '--max-steps', '10', '--batch-size', '500', '--out', join(tmp(), 'run'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /the onecycle schedule spans 5 steps but the run may take 10/);
  assert.doesNotMatch(r.stdout, /^training/m);
});

test('a run folder in use by another process is refused', () => {
  const dir = tmp();
  const hostname = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("os").hostname())'], { encoding: 'utf8' }).stdout;
  mkdirSync(join(dir, 'run'));
  writeFileSync(join(dir, 'run', '.descent.lock'), JSON.stringify({ pid: process.pid, host: hostname, started: '2026-01-01T00:00:00.000Z' }));
  const r = run('train', 'mnist-mlp', '--max-steps', '2', '--out', join(dir, 'run'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`the run folder .*run is in use by another training \\(pid ${process.pid} `));
  assert.deepEqual(readdirSync(join(dir, 'run')), ['.descent.lock'], 'nothing written');
});
