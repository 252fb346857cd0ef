import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// tools/optuna_search.py: Optuna workers that train with `descent train --json`, sharing one study (SQLite here,
// PostgreSQL or MySQL across machines). Needs Debian's python3-optuna; skipped without it unless CI requires it.
const python = process.env.DESCENT_PYTHON ?? '/usr/bin/python3';
const driver = fileURLToPath(new URL('../../../tools/optuna_search.py', import.meta.url));
const descent = `${JSON.stringify(process.execPath)} ${JSON.stringify(fileURLToPath(new URL('../../src/cli/main.js', import.meta.url)))}`;
const hasOptuna = spawnSync(python, ['-c', 'import optuna'], { encoding: 'utf8' }).status === 0;
const skip = !hasOptuna && process.env.DESCENT_REQUIRE_OPTUNA !== '1' ? `${python} cannot import optuna (apt-get install -y python3-optuna); DESCENT_REQUIRE_OPTUNA=1 makes this a failure` : false;

function worker(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(python, [driver, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface TrialRecord {
  number: number;
  state: string;
  value: number | null;
  params: Record<string, unknown>;
  intermediate: Record<string, number>;
  attrs: Record<string, string>;
}

function trials(storage: string, study: string): TrialRecord[] {
  const script = `import json, optuna
s = optuna.load_study(study_name=${JSON.stringify(study)}, storage=${JSON.stringify(storage)})
print(json.dumps([{"number": t.number, "state": t.state.name, "value": t.value, "params": t.params, "intermediate": t.intermediate_values, "attrs": t.user_attrs} for t in s.trials]))`;
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as TrialRecord[];
}

test('optuna_search.py: two workers share an SQLite study; every epoch is reported, every trial has its run folder', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-optuna-'));
  const storage = `sqlite:///${join(dir, 'study.db')}`;
  const common = ['--study', 'search', '--storage', storage, '--descent', descent, '--out', join(dir, 'runs'), '--recipe', 'mnist-mlp', '--epochs', '2',
    '--param', 'lr=log:0.01:1', '--param', 'optimizer=choice:sgd,adam', '--pruner', 'none'];
  const created = await worker([...common, '--create']);
  assert.equal(created.code, 0, created.stderr);
  const runs = await Promise.all([1, 2].map((seed) => worker([...common, '--trials', '2', '--sampler-seed', String(seed), '--', '--batch-size', 'full'])));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const all = trials(storage, 'search');
  assert.deepEqual(all.map((t) => t.number).sort(), [0, 1, 2, 3]);
  assert.equal(new Set(all.map((t) => t.attrs.worker)).size, 2, 'both workers ran trials');
  for (const t of all) {
    assert.equal(t.state, 'COMPLETE', JSON.stringify(t));
    assert.deepEqual(Object.keys(t.intermediate).sort(), ['1', '2'], 'one report per epoch');
    assert.ok(t.value! >= 0 && t.value! <= 1, `val_accuracy ${t.value}`);
    assert.equal(t.value, t.intermediate['2'], 'the final metric is the last epoch\'s');
    assert.ok(['sgd', 'adam'].includes(t.params.optimizer as string));
    const config = JSON.parse(readFileSync(join(t.attrs.run, 'config.json'), 'utf8'));
    assert.equal(config.lr, t.params.lr, 'the run trained with the trial\'s hyperparameters');
    assert.equal(config.optimizer, t.params.optimizer);
    assert.equal(config.batchSize, 'full', 'extra flags after -- reach descent train');
  }
  assert.match(runs.map((r) => r.stdout).join(''), /best of \d complete trials: val_accuracy/);
});

test('optuna_search.py: a pruned trial stops its run after the epoch that the pruner rejects', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-optuna-'));
  const storage = `sqlite:///${join(dir, 'study.db')}`;
  const r = await worker(['--study', 'pruned', '--storage', storage, '--descent', descent, '--out', join(dir, 'runs'), '--recipe', 'mnist-mlp', '--epochs', '4',
    '--trials', '1', '--pruner', 'threshold', '--prune-below', '0.999', '--', '--batch-size', 'full']);
  assert.equal(r.code, 0, r.stderr);
  const [t] = trials(storage, 'pruned');
  assert.equal(t.state, 'PRUNED');
  assert.deepEqual(Object.keys(t.intermediate), ['1']);
  const epochs = readFileSync(join(t.attrs.run, 'metrics.jsonl'), 'utf8').trim().split('\n').filter((l) => JSON.parse(l).type === 'epoch');
  assert.ok(epochs.length < 4, `the run stopped early (${epochs.length} epochs logged)`);
  assert.ok(existsSync(join(t.attrs.run, 'latest.json')), 'descent saved a checkpoint when it was stopped');
});

test('optuna_search.py: bad arguments are refused before any trial', { skip }, async () => {
  const r = await worker(['--study', 's', '--storage', 'sqlite:///:memory:', '--param', 'lr=log:1:0.1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /LOW must be below HIGH/);
  const t = await worker(['--study', 's', '--storage', 'sqlite:///:memory:', '--pruner', 'threshold']);
  assert.equal(t.code, 2);
  assert.match(t.stderr, /--pruner threshold needs --prune-below or --prune-above/);
});
