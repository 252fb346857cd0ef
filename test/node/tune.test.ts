import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gridConfigs, randomConfigs, tune, type TrialConfig } from '../../src/node/index.js';
import { tempDir } from '../helpers.js';

test('grid is the cartesian product; random draws are seeded and respect ranges', () => {
  assert.deepEqual(gridConfigs({ a: [1, 2], b: ['x', 'y'] }), [{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
  assert.throws(() => gridConfigs({ lr: { min: 0, max: 1 } }), /a grid needs a list of values for 'lr'/);
  const space = { lr: { min: 1e-4, max: 1e-1, log: true }, units: { min: 8, max: 64, integer: true }, opt: ['sgd', 'adam'] };
  const a = randomConfigs(space, 20, 3);
  assert.deepEqual(a, randomConfigs(space, 20, 3));
  assert.notDeepEqual(a, randomConfigs(space, 20, 4));
  for (const c of a) {
    assert.ok((c.lr as number) >= 1e-4 && (c.lr as number) <= 1e-1);
    assert.ok(Number.isInteger(c.units) && (c.units as number) >= 8 && (c.units as number) <= 64);
    assert.ok(['sgd', 'adam'].includes(c.opt as string));
  }
  assert.ok(a.some((c) => (c.lr as number) < 1e-3), 'log-uniform reaches the small decades');
  assert.throws(() => randomConfigs({ lr: { min: 0, max: 1, log: true } }, 1), /bad range for 'lr'/);
});

test('successive halving keeps the best 1/eta with a growing budget; results come best first', async () => {
  const calls: [number, number | null][] = [];
  let running = 0;
  let maxRunning = 0;
  const results = await tune({
    space: { x: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, strategy: 'halving', trials: 9, metric: 'score', workers: 3, minBudget: 10, eta: 3, maxBudget: 90, seed: 1,
    run: async (config: TrialConfig, budget) => {
      calls.push([config.x as number, budget]);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return { score: (config.x as number) * (budget ?? 1) };
    },
  });
  assert.equal(calls.length, 9 + 3 + 1);
  assert.deepEqual(calls.slice(9).map((c) => c[1]), [30, 30, 30, 90]);
  assert.equal(maxRunning, 3);
  const best = Math.max(...calls.map((c) => c[0]));
  assert.deepEqual([results[0].config.x, results[0].rung, results[0].budget], [best, 2, 90]);
  assert.equal(results.length, 9);
  const failing = await tune({ space: { x: [1, 2] }, strategy: 'grid', metric: 'loss', mode: 'min', workers: 1, run: async (c) => { if (c.x === 2) throw new Error('boom'); return { loss: 1 }; } });
  assert.deepEqual(failing.map((r) => [r.config.x, r.error]), [[1, undefined], [2, 'boom']]);
});

test('descent tune runs trials in worker processes and writes a sorted results table', () => {
  const dir = tempDir('descent-tune-');
  const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const r = spawnSync(process.execPath, [cli, 'tune', '--strategy', 'grid', '--space', '{"lr": [0.001, 0.01], "batchSize": [500]}', '--workers', '2', '--max-steps', '3', '--out', dir], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /trial +lr +batchSize +val_accuracy +val_loss +steps +seconds/);
  const rows = readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  assert.equal(rows.length, 2);
  assert.ok(Number(rows[0][3]) >= Number(rows[1][3]), 'sorted by val_accuracy');
  assert.ok(existsSync(join(dir, 'trial-0', 'latest.json')) && existsSync(join(dir, 'report.html')));
  const bad = spawnSync(process.execPath, [cli, 'tune', '--space', '{"colour": [1]}'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /cannot search over 'colour' \(valid keys: optimizer, lr, batchSize/);
});

test('failed trials sort last, whatever rung they reached; bad counts are refused', async () => {
  const results = await tune({
    space: { x: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, strategy: 'halving', trials: 9, metric: 'score', workers: 2, minBudget: 1, eta: 3, maxBudget: 9, seed: 1,
    run: async (config, budget) => {
      if (config.x === 9 && budget === 3) throw new Error('diverged at rung 1');
      return { score: config.x as number };
    },
  });
  assert.equal(results.at(-1)!.error, 'diverged at rung 1');
  assert.ok(!results[0].error && results[0].rung === 2, `best ${JSON.stringify(results[0])}`);
  const allFail = await tune({ space: { x: [1, 2] }, strategy: 'grid', metric: 'loss', workers: 1, run: async () => { throw new Error('boom'); } });
  assert.deepEqual(allFail.map((r) => r.error), ['boom', 'boom']);
  await assert.rejects(tune({ space: { x: [1] }, strategy: 'random', trials: 0, metric: 'm', run: async () => ({}) }), /tune: trials must be a positive integer, got 0/);
  await assert.rejects(tune({ space: { x: [1] }, strategy: 'halving', minBudget: 10, maxBudget: 5, metric: 'm', run: async () => ({}) }), /maxBudget \(5\) must be at least minBudget \(10\)/);
});

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tuneRun = (...args: string[]) => spawnSync(process.execPath, [cli, 'tune', ...args], { encoding: 'utf8', timeout: 180_000 });

test('descent tune exits 1 and names no best trial when every trial fails', () => {
  const dir = tempDir('descent-tune-');
  const hostname = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("os").hostname())'], { encoding: 'utf8' }).stdout;
  for (const id of [0, 1]) { // trials whose folders another process holds fail at once
    mkdirSync(join(dir, `trial-${id}`));
    writeFileSync(join(dir, `trial-${id}`, '.descent.lock'), JSON.stringify({ pid: process.pid, host: hostname, started: 'now' }));
  }
  const r = tuneRun('--strategy', 'grid', '--space', '{"lr": [0.001, 0.01]}', '--workers', '2', '--max-steps', '2', '--out', dir);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /every trial failed \(the first: trial failed \(exit 1\): .*is in use by another training/);
  assert.doesNotMatch(r.stdout, /^best:/m);
});

test('successive halving: survivors continue on a schedule that spans the largest budget (onecycle, cosine)', () => {
  const dir = tempDir('descent-tune-');
  const r = tuneRun('--strategy', 'halving', '--space', '{"scheduler": ["onecycle", "cosine"], "lr": [0.001]}', '--trials', '2', '--workers', '2',
    '--min-budget', '2', '--eta', '2', '--max-budget', '4', '--out', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /trial failed/);
  assert.match(r.stdout, /^trial \d \(4 steps\)/m, 'a survivor ran the second rung');
  for (const id of [0, 1]) assert.equal(JSON.parse(readFileSync(join(dir, `trial-${id}`, 'config.json'), 'utf8')).scheduleSteps, 4);
});
