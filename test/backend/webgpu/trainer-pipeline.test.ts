// The trainer's pipeline on webgpu: batch b+1's forward and backward are recorded while step b's values are
// read, yet every step's values, the stops, the NaN guard and checkpoints are those of wasm (which reads
// synchronously and never pipelines). Tiny models: SwiftShader runs WGSL on the CPU.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Generator, Tensor, defaultGenerator, manualSeed, nn, optim, randint, randn, tensor } from '../../../src/index.js';
import { DataLoader, TensorDataset } from '../../../src/data/index.js';
import { type Callback, type FitOptions, type History, type StoppingCriterion, Trainer, type TrainerCheckpoint } from '../../../src/train/index.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

type Batch = [Tensor, Tensor];

interface Run {
  history: History;
  events: string[];
  weights: number[][];
  optimizerState: number[][];
  generator: unknown;
  loader: unknown;
  /** Batches of a for...of over the loader after training (a new epoch, unless the loader was left resuming). */
  nextEpochBatches: number;
  batchInEpoch: number;
  checkpoint: { model: number[][]; generator: unknown; data: unknown; step: unknown } | null;
}

async function values(ts: Iterable<Tensor>): Promise<number[][]> {
  const out: number[][] = [];
  for (const t of ts) out.push(Array.from(await t.data()));
  return out;
}

/**
 * Trains a model with batch norm and dropout (buffers and random draws that a batch recorded ahead changes;
 * no bias before batch norm: its gradient is rounding noise, which Adam would magnify)
 * on `device`; data on wasm, moved batch by batch. `events` lists forwards and step ends in their order.
 */
async function run(device: string, options: { x: Tensor; y: Tensor; criteria?: StoppingCriterion[]; callbackReadsOnly?: boolean; checkpointAt?: number; stopAtBatch?: number } & Partial<FitOptions<Batch>>): Promise<Run> {
  const { x, y, criteria = [], callbackReadsOnly = true, checkpointAt, stopAtBatch, ...rest } = options;
  manualSeed(21);
  const model = new nn.Sequential(new nn.Linear(6, 8, { bias: false }), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.25), new nn.Linear(8, 3)).to(device);
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: true, generator: new Generator(3) });
  const events: string[] = [];
  let checkpoint: TrainerCheckpoint | null = null;
  let forwards = 0;
  const observer: Callback = {
    readsOnly: callbackReadsOnly,
    onStepEnd: (t, info) => {
      events.push(`step ${info.step}`);
      if (info.step === checkpointAt) checkpoint = t.checkpoint();
    },
    onBatchEnd: (t, batch) => {
      if (stopAtBatch !== undefined && t.epoch === 0 && batch === stopAtBatch) t.stop('asked by a callback');
    },
  };
  const trainer = new Trainer<Batch>(model, {
    data: loader as unknown as Iterable<Batch>,
    loss: nn.functional.crossEntropy,
    optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }),
    forward: (m, [input, target]) => {
      events.push(`forward ${++forwards}`);
      return { output: m(input.to(device)) as Tensor, target: target.to(device) };
    },
    metrics: ['accuracy'],
    callbacks: [observer],
    stopWhen: criteria,
    ...rest,
  });
  const history = await trainer.fit();
  const opt = trainer.optimizer;
  const ckpt = checkpoint as TrainerCheckpoint | null;
  return {
    history,
    events,
    weights: await values(Object.values(model.stateDict())),
    optimizerState: await values([...opt.state.values()].flatMap((s) => Object.values(s).filter((v): v is Tensor => v instanceof Tensor))),
    generator: defaultGenerator.getState(),
    loader: loader.stateDict(),
    nextEpochBatches: [...loader].length,
    batchInEpoch: trainer.batchInEpoch,
    checkpoint: ckpt && { model: await values(Object.values(ckpt.model)), generator: ckpt.state.generator, data: ckpt.state.data, step: ckpt.state.step },
  };
}

function assertClose(got: number[][], expected: number[][], what: string, tol = 1e-4): void {
  assert.equal(got.length, expected.length, `${what}: count`);
  got.forEach((g, i) => g.forEach((v, j) => {
    const e = expected[i][j];
    assert.ok(Math.abs(v - e) <= tol * (1 + Math.abs(e)) || (Number.isNaN(v) && Number.isNaN(e)), `${what} ${i}[${j}]: webgpu ${v}, wasm ${e}`);
  }));
}

function assertSameRun(gpu: Run, cpu: Run): void {
  assert.equal(gpu.history.steps.length, cpu.history.steps.length, 'steps taken');
  gpu.history.steps.forEach((s, i) => {
    const c = cpu.history.steps[i];
    assert.equal(s.step, c.step);
    assert.ok(Math.abs(s.loss - c.loss) <= 1e-4 * c.loss, `step ${s.step}: loss ${s.loss} vs ${c.loss}`);
    assert.ok(Math.abs(s.gradNorm - c.gradNorm) <= 1e-4 * c.gradNorm, `step ${s.step}: gradient norm ${s.gradNorm} vs ${c.gradNorm}`);
  });
  assert.equal(gpu.history.stopReason, cpu.history.stopReason);
  assert.equal(gpu.history.restoredWeights, cpu.history.restoredWeights);
  assert.deepEqual(gpu.history.epochs.map((e) => e.accuracy), cpu.history.epochs.map((e) => e.accuracy));
  assert.equal(gpu.batchInEpoch, cpu.batchInEpoch, 'position in the epoch');
  assert.deepEqual(gpu.loader, cpu.loader, "the loader's state");
  assert.equal(gpu.nextEpochBatches, cpu.nextEpochBatches, 'a for...of after training starts a new epoch, as on wasm');
  assert.deepEqual(gpu.generator, cpu.generator, "the random generator's state (dropout)");
  assertClose(gpu.weights, cpu.weights, 'weights and batch norm buffers');
  assertClose(gpu.optimizerState, cpu.optimizerState, "Adam's moments");
}

describe('the trainer pipelines batches on webgpu', { skip }, () => {
  manualSeed(4);
  const x = randn([40, 6], { device: 'wasm' });
  const y = randint(0, 3, [40], { dtype: 'int32', device: 'wasm' });

  test("batch b+1's forward is recorded before step b's hooks; steps, losses, gradient norms and the final state are wasm's", async () => {
    const cpu = await run('wasm', { x, y, epochs: 2, accumulateSteps: 2 }); // 5 batches: 2 full steps and a partial one per epoch
    const gpu = await run('webgpu', { x, y, epochs: 2, accumulateSteps: 2 });
    assertSameRun(gpu, cpu);
    assert.equal(cpu.history.steps.length, 6);
    assert.deepEqual(cpu.events.slice(0, 6), ['forward 1', 'forward 2', 'step 1', 'forward 3', 'forward 4', 'step 2']);
    assert.deepEqual(gpu.events.slice(0, 6), ['forward 1', 'forward 2', 'forward 3', 'step 1', 'forward 4', 'forward 5'], 'recorded ahead');
  });

  test('a callback that is not readsOnly gets no batch recorded ahead of its hooks', async () => {
    const gpu = await run('webgpu', { x, y, maxSteps: 3, callbackReadsOnly: false });
    assert.deepEqual(gpu.events, ['forward 1', 'step 1', 'forward 2', 'step 2', 'forward 3', 'step 3']);
  });

  test('a criterion stopping at step 3 mid-epoch: update 4 is never applied; the state and a checkpoint taken at step 3 are wasm\'s', async () => {
    const atStep3: StoppingCriterion = { name: 'atStep3', onStep: (s) => (s.step === 3 ? 'step 3 reached' : null) };
    const cpu = await run('wasm', { x, y, epochs: 2, criteria: [atStep3], checkpointAt: 3 });
    const gpu = await run('webgpu', { x, y, epochs: 2, criteria: [atStep3], checkpointAt: 3 });
    assert.equal(gpu.events.filter((e) => e.startsWith('forward')).length, 4, 'batch 4 was recorded ahead, then taken back');
    assertSameRun(gpu, cpu);
    assert.equal(gpu.history.steps.length, 3);
    assert.deepEqual(gpu.checkpoint!.generator, cpu.checkpoint!.generator);
    assert.deepEqual(gpu.checkpoint!.data, cpu.checkpoint!.data);
    assert.equal(gpu.checkpoint!.step, 3);
    assertClose(gpu.checkpoint!.model, cpu.checkpoint!.model, 'checkpointed weights and buffers');
  });

  test('a stop asked by a callback in onBatchEnd, and maxSteps: the same step as on wasm', async () => {
    const cpu = await run('wasm', { x, y, epochs: 3, stopAtBatch: 1 });
    const gpu = await run('webgpu', { x, y, epochs: 3, stopAtBatch: 1 });
    assertSameRun(gpu, cpu);
    assert.equal(gpu.history.stopReason, 'asked by a callback');
    const cpu2 = await run('wasm', { x, y, epochs: 3, maxSteps: 7 });
    const gpu2 = await run('webgpu', { x, y, epochs: 3, maxSteps: 7 });
    assertSameRun(gpu2, cpu2);
  });

  test('the NaN guard: a non-finite loss at step 4 (or at step 1, before any good step) takes back that update and the batch recorded ahead, as on wasm', async () => {
    // the loader's order puts sample 25 in the 4th batch and sample 30 in the 1st
    for (const [row, restored] of [[25, 'lastFinite'], [30, null]] as const) {
      const poisoned = tensor(Array.from(await x.data()).map((v, i) => (i === row * 6 ? NaN : v)), { shape: [40, 6], device: 'wasm' });
      const cpu = await run('wasm', { x: poisoned, y, epochs: 2 });
      const gpu = await run('webgpu', { x: poisoned, y, epochs: 2 });
      assert.equal(cpu.history.stoppedBy, 'nanGuard');
      assert.equal(cpu.history.restoredWeights, restored);
      assertSameRun(gpu, cpu);
      // (at step 1 batch norm's running statistics took the NaN on wasm too: nothing earlier to put back)
      if (restored) assert.ok(gpu.weights.flat().every(Number.isFinite), 'finite weights and buffers after the guard');
    }
  });

  test("an op's value check in the batch recorded ahead (a target out of range) is reported by that batch's reads: a stop before it hides it, as on wasm", async () => {
    const bad = tensor(Array.from(await y.data()).map((v, i) => (i === 25 ? 7 : v)), { shape: [40], dtype: 'int32', device: 'wasm' }); // in the 4th batch
    const atStep3: StoppingCriterion = { name: 'atStep3', onStep: (s) => (s.step === 3 ? 'step 3 reached' : null) };
    const cpu = await run('wasm', { x, y: bad, epochs: 1, criteria: [atStep3] });
    const gpu = await run('webgpu', { x, y: bad, epochs: 1, criteria: [atStep3] });
    assertSameRun(gpu, cpu);
    const message = await run('wasm', { x, y: bad, epochs: 1 }).then(() => 'no error', (e: Error) => e.message);
    assert.match(message, /out of (range|bounds)/);
    await assert.rejects(run('webgpu', { x, y: bad, epochs: 1 }), (e: Error) => e.message.startsWith(message) && /checked on webgpu/.test(e.message));
  });
});
