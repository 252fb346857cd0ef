// descent's side of the descent -> PyTorch fixtures (see tools/gen_interop_fixtures.py): every case built from its
// spec with a fixed seed, its weights moved, written to test/fixtures/interop/descent_<case>.safetensors, and the
// inputs to descent_inputs.json. Run after `npm run build:test`:  node tools/write_descent_state_dicts.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { saveSafetensors } from '../build/src/node/index.js';
import { descentCase } from '../build/test/io/interop-models.js';

const fixtures = new URL('../test/fixtures/', import.meta.url);
const { descent_cases: cases } = JSON.parse(readFileSync(new URL('interop_torch.json', fixtures), 'utf8'));
const inputs = {};
cases.forEach((c, i) => {
  const { model, inputs: xs } = descentCase(i, c.spec, c.inputs);
  saveSafetensors(new URL(`interop/descent_${c.name}.safetensors`, fixtures).pathname, model.stateDict(), { source: 'tools/write_descent_state_dicts.mjs' });
  inputs[c.name] = xs.map((x) => ({ data: Array.from(x.dataSync()), shape: [...x.shape], dtype: x.dtype }));
  console.log('wrote', `test/fixtures/interop/descent_${c.name}.safetensors`);
});
writeFileSync(new URL('interop/descent_inputs.json', fixtures), `${JSON.stringify(inputs)}\n`);
console.log('wrote test/fixtures/interop/descent_inputs.json');
