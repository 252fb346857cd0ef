// Fuzzing what a resume reads: checkpoint files with flipped, cut and appended bytes, trainer.json with values
// replaced or removed, and optimizer state dicts with mutated entries. Each must either load (and train on)
// or be refused with an error that says what is wrong (no TypeError from deep inside, no RangeError, no hang),
// leaving the trainer or optimizer as it was. The mutations come from a seeded generator: a failure reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, Tensor, optim, zeros } from '../../src/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/index.js';
import { mlp, trainerFor, weightsOf } from '../train/setup.js';
import { tempDir } from '../helpers.js';

const g = new Generator(2024);
const pick = <T>(items: readonly T[]): T => items[g.below(items.length)];

/** What is wrong with an error that comes from a crash rather than from a check (it names no field, file or rule). */
function unclear(e: unknown): string | null {
  if (!(e instanceof Error)) return `threw ${String(e)}`;
  if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError || /Cannot read propert|is not a function|is not iterable|of undefined|of null/.test(e.message)) {
    return `${e.name}: ${e.message}`;
  }
  return null;
}

const WEIRD: unknown[] = ['abc', '', -1, 0.5, 1e300, -1e300, null, true, [], {}, [1, 2], { $tensor: 'nope' }, { $number: 'x' }, 2 ** 53];

/** A copy of `value` with one node somewhere inside replaced by something odd, or a key removed. */
function mutateJson(value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => { nodes.push({ parent: v, key: i }); walk(x); });
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) { nodes.push({ parent: v as Record<string, unknown>, key: k }); walk(x); }
  };
  walk(copy);
  const { parent, key } = pick(nodes);
  if (!Array.isArray(parent) && g.below(4) === 0) delete parent[key as string];
  else (parent as Record<string | number, unknown>)[key] = pick(WEIRD);
  return copy;
}

function mutateBytes(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  switch (g.below(4)) {
    case 0: for (let i = 0; i < 1 + g.below(4); i++) out[g.below(out.length)] ^= 1 << g.below(8); return out;
    case 1: return out.subarray(0, g.below(out.length));
    case 2: return Uint8Array.from([...out, ...Array.from({ length: 1 + g.below(16) }, () => g.below(256))]);
    default: { // a header byte: shapes, offsets and dtypes live there
      const headerEnd = 8 + Number(new DataView(out.buffer).getBigUint64(0, true));
      out[8 + g.below(Math.max(1, Math.min(headerEnd, out.length) - 8))] = pick([...'0123456789[],:"{}FIBU'].map((c) => c.charCodeAt(0)));
      return out;
    }
  }
}

test('fuzz: mutated checkpoint files load and train, or are refused clearly with the trainer unchanged', async () => {
  const source = trainerFor(mlp(), { maxSteps: 11 }); // mid-epoch: loader order, metrics and moments all saved
  await source.fit();
  const original = tempDir('descent-fuzz-');
  const folder = saveCheckpoint(original, source.checkpoint());
  const files = readdirSync(folder);
  let refused = 0;
  const problems: string[] = [];
  for (let i = 0; i < 150; i++) {
    const dir = tempDir('descent-fuzz-');
    cpSync(original, dir, { recursive: true });
    const file = pick([...files, 'trainer.json', 'trainer.json', '../latest.json']);
    const path = join(dir, 'checkpoint-00000011', file);
    const what = `case ${i}: ${file}`;
    if (file.endsWith('.json')) {
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, g.below(8) === 0 ? text.slice(0, g.below(text.length)) : JSON.stringify(mutateJson(JSON.parse(text))));
    } else {
      writeFileSync(path, mutateBytes(readFileSync(path)));
    }
    const model = mlp(9);
    const trainer = trainerFor(model, { maxSteps: 14 });
    const before = weightsOf(model);
    try {
      trainer.restore(loadCheckpoint(dir));
    } catch (e) {
      const problem = unclear(e);
      if (problem) problems.push(`${what}: ${problem}`);
      if (JSON.stringify(weightsOf(model)) !== JSON.stringify(before) || trainer.step !== 0) problems.push(`${what}: refused, but the trainer changed`);
      refused++;
      continue;
    }
    try {
      await trainer.fit(); // what loaded must also train (a NaN stops through the NaN guard, not a crash)
    } catch (e) {
      const problem = unclear(e);
      if (problem) problems.push(`${what}, training after the load: ${problem}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(refused > 50, `most mutations are refused (${refused} of 150)`);
});

test('fuzz: mutated optimizer state dicts load or are refused with the optimizer unchanged', () => {
  const w = zeros([6, 5], { requiresGrad: true });
  const b = zeros([5], { requiresGrad: true });
  const rules = [
    () => new optim.Adam([w, b], { lr: 0.1, amsgrad: true }),
    () => new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 }),
    () => new optim.RMSprop([w, b], { lr: 0.01, centered: true }),
  ];
  const snapshot = (o: optim.Optimizer) => JSON.stringify(o.stateDict(), (_k, v: unknown) => (v instanceof Tensor ? Array.from(v.dataSync()) : v));
  let refused = 0;
  const problems: string[] = [];
  for (let i = 0; i < 150; i++) {
    const opt = rules[i % rules.length]();
    w.grad = zeros([6, 5]).add(0.5);
    b.grad = zeros([5]).add(-1);
    opt.step();
    const before = snapshot(opt);
    const sd = opt.stateDict();
    // mutate a tensor (shape, dtype) or a JSON value
    const stateTensors = Object.values(sd.state).flatMap((s) => Object.entries(s).filter(([, v]) => v instanceof Tensor).map(([k]) => [s, k] as const));
    if (g.below(2) === 0 && stateTensors.length > 0) {
      const [s, k] = pick(stateTensors);
      s[k] = pick([zeros([1]), zeros([5, 6]), zeros([30]), zeros([6, 5], { dtype: 'int32' }), zeros([6, 5], { dtype: 'bool' }), zeros([])]);
    } else {
      const tensors: Tensor[] = [];
      const json = JSON.stringify(sd, (_k, v: unknown) => (v instanceof Tensor ? { $t: tensors.push(v) - 1 } : v));
      const mutated = JSON.stringify(mutateJson(JSON.parse(json)));
      Object.assign(sd, JSON.parse(mutated, (_k, v: unknown) => (v && typeof v === 'object' && '$t' in v && typeof (v as { $t: unknown }).$t === 'number' ? tensors[(v as { $t: number }).$t] ?? v : v)));
    }
    try {
      opt.loadStateDict(sd);
    } catch (e) {
      const problem = unclear(e);
      if (problem) problems.push(`case ${i}: ${problem}`);
      if (snapshot(opt) !== before) problems.push(`case ${i}: refused, but the optimizer changed`);
      refused++;
      continue;
    }
    try {
      opt.step();
    } catch (e) {
      const problem = unclear(e);
      if (problem) problems.push(`case ${i}, a step after the load (${JSON.stringify(sd, (_k, v: unknown) => (v instanceof Tensor ? `tensor ${JSON.stringify(v.shape)}` : v))}): ${problem}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(refused > 30, `mutations are refused (${refused} of 150)`);
});
