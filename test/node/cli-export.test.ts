import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed, randn } from '../../src/index.js';
import { loadCheckpoint, latestCheckpoint, loadSafetensors } from '../../src/node/index.js';
import { RECIPES } from '../../src/cli/recipes.js';
import { runOnnx } from '../onnx/ort.js';
import { assertClose } from '../helpers.js';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('descent export RUN --onnx --safetensors: files that ONNX Runtime and load_state_dict take, with the checkpoint\'s weights', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-export-'));
  const trained = run('train', 'mnist-cnn', '--max-steps', '3', '--batch-size', '16', '--out', join(dir, 'run'), '--no-progress');
  assert.equal(trained.code, 0, trained.stderr);
  const r = run('export', join(dir, 'run'), '--onnx', '--safetensors', '--batch-size', '4');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /safetensors: .*model\.safetensors \(\d+ tensors, [\d,]+ parameters\)/);
  assert.match(r.stdout, /onnx: .*model\.onnx \([\d,]+ bytes, opset 17, input \[4,1,28,28\] -> output \[4,10\]\)/);

  const model = RECIPES['mnist-cnn'].model();
  model.loadStateDict(loadCheckpoint(latestCheckpoint(join(dir, 'run'))!).model);
  model.eval();
  const exported = loadSafetensors(join(dir, 'run', 'model.safetensors'));
  assert.deepEqual(exported.metadata, { format: 'pt', recipe: 'mnist-cnn' });
  for (const [k, t] of Object.entries(model.stateDict())) assert.deepEqual(Array.from(exported.tensors[k].dataSync()), Array.from(t.dataSync()), k);

  manualSeed(0);
  const x = randn([4, 1, 28, 28]);
  const [y] = await runOnnx(new Uint8Array(readFileSync(join(dir, 'run', 'model.onnx'))), [x]);
  assertClose(y, model(x), { rtol: 1e-4, atol: 1e-5 });

  // a checkpoint folder works too, and --out puts the files elsewhere
  const other = run('export', latestCheckpoint(join(dir, 'run'))!, '--onnx', '--out', join(dir, 'elsewhere'), '--opset', '18');
  assert.equal(other.code, 0, other.stderr);
  assert.ok(existsSync(join(dir, 'elsewhere', 'model.onnx')));
  assert.ok(!existsSync(join(dir, 'elsewhere', 'model.safetensors')));
});

test('descent export: usage errors say what is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-export-'));
  for (const [args, message] of [
    [['export'], /expected one RUN/],
    [['export', dir], /nothing to write; pass --onnx, --safetensors or both/],
    [['export', join(dir, 'none'), '--onnx'], /does not exist/],
    [['export', dir, '--onnx'], /no checkpoint in/],
    [['export', dir, '--onnx', '--opset', '13'], /--opset must be an integer in \[17, 21\], got '13'/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
