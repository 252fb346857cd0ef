import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tensor } from '../../src/index.js';
import { parseSafetensors, parseSafetensorsHeader, serializeSafetensors } from '../../src/io/index.js';
import { loadSafetensors } from '../../src/node/index.js';
import { type FixtureTensor, assertClose, fromFixture, loadFixture } from '../helpers.js';
import { type InputSpec, type ModuleSpec, buildModule, descentCase, outputsOf } from './interop-models.js';

// State dicts between PyTorch and descent, both ways, for every layer that holds weights or buffers
// (tools/gen_interop_fixtures.py writes the fixtures and explains how each direction is recorded).
const interop = (file: string) => fileURLToPath(new URL(`../../../test/fixtures/interop/${file}`, import.meta.url));

interface TorchCase {
  name: string;
  spec: ModuleSpec;
  file: string;
  inputs: FixtureTensor[];
  outputs: FixtureTensor[];
}
interface DescentCase {
  name: string;
  spec: ModuleSpec;
  inputs: InputSpec[];
}
const { cases, descent_cases: descentCases } = loadFixture<{ cases: TorchCase[]; descent_cases: DescentCase[] }>('interop_torch');
const recorded = loadFixture<Record<string, { outputs: FixtureTensor[] }>>('interop_descent');
const recordedInputs = JSON.parse(readFileSync(interop('descent_inputs.json'), 'utf8')) as Record<string, FixtureTensor[]>;

// recurrent and attention stacks accumulate float32 rounding over steps and layers
const TOLERANCE = { rtol: 1e-4, atol: 2e-5 };

for (const c of cases) {
  test(`PyTorch -> descent: ${c.name} (${c.file}) loads with strict keys and gives PyTorch's outputs`, () => {
    const model = buildModule(c.spec);
    const { tensors, converted } = loadSafetensors(interop(c.file));
    model.loadStateDict(tensors); // strict: every key, every shape
    model.eval();
    const inputs = c.inputs.map((x) => fromFixture(x, { dtype: x.dtype === 'int32' ? 'int32' : 'float32' }));
    const outputs = outputsOf(model, inputs);
    assert.equal(outputs.length, c.outputs.length, 'number of outputs');
    outputs.forEach((y, i) => assertClose(y, c.outputs[i], { ...TOLERANCE, message: `output ${i}` }));
    // the note on what did not load as stored: num_batches_tracked (I64), and every half-precision weight
    const half = c.name.endsWith('_bf16') ? 'BF16' : c.name.endsWith('_f16') ? 'F16' : null;
    for (const [key, t] of Object.entries(tensors)) {
      if (key.endsWith('num_batches_tracked')) assert.deepEqual(converted[key], { from: 'I64', to: 'int32' }, key);
      else assert.deepEqual(converted[key], half && t.dtype === 'float32' ? { from: half, to: 'float32' } : undefined, key);
    }
  });
}

descentCases.forEach((c, index) => {
  test(`descent -> PyTorch: ${c.name} is the file PyTorch loaded with strict=True, and gives the outputs PyTorch recorded`, () => {
    const { model, inputs } = descentCase(index, c.spec, c.inputs);
    const file = new Uint8Array(readFileSync(interop(`descent_${c.name}.safetensors`)));
    const written = serializeSafetensors(model.stateDict(), { format: 'pt', source: 'tools/write_descent_state_dicts.mjs' });
    // descent writes today the file PyTorch loaded: the same header (keys, dtypes, shapes, offsets) and values up
    // to the last bits (BatchNorm's running statistics round as the backend's kernels do)
    assert.deepEqual(parseSafetensorsHeader(written), parseSafetensorsHeader(file), 'the header of the file PyTorch loaded');
    const loaded = parseSafetensors(file).tensors;
    for (const [key, t] of Object.entries(parseSafetensors(written).tensors)) assertClose(t, loaded[key], { rtol: 1e-5, atol: 1e-6, message: key });
    model.loadStateDict(loaded); // the outputs below are of exactly the weights PyTorch ran
    inputs.forEach((x, i) => assert.deepEqual(Array.from(x.dataSync()), recordedInputs[c.name][i].data, `input ${i}`));
    const outputs = outputsOf(model, inputs);
    const expected = recorded[c.name].outputs;
    assert.equal(outputs.length, expected.length, 'number of outputs');
    outputs.forEach((y, i) => assertClose(y, expected[i], { ...TOLERANCE, message: `output ${i}` }));
  });
});

test('a sharded checkpoint whose index and shards disagree is an error naming the tensor', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'descent-shards-'));
  writeFileSync(join(dir, 'a.safetensors'), serializeSafetensors({ w: tensor([1, 2]), b: tensor([3]) }));
  const index = (map: Record<string, string>) => {
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: map }));
    return join(dir, 'model.safetensors.index.json');
  };
  assert.deepEqual(Object.keys(loadSafetensors(index({ w: 'a.safetensors', b: 'a.safetensors' })).tensors).sort(), ['b', 'w']);
  assert.throws(() => loadSafetensors(index({ w: 'a.safetensors' })), /'b' is in a.safetensors but the index does not list it/);
  assert.throws(() => loadSafetensors(index({ w: 'a.safetensors', b: 'a.safetensors', c: 'a.safetensors' })), /lists tensors no shard holds: c/);
  assert.throws(() => loadSafetensors(index({ w: '../a.safetensors' })), /must be a file name beside the index/);
  writeFileSync(join(dir, 'bad.json'), '{"metadata": {}}');
  assert.throws(() => loadSafetensors(join(dir, 'bad.json')), /expected a Hugging Face index/);
});
