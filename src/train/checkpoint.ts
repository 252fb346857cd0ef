// A Trainer's whole state as a checkpoint, and its restore: checked whole before anything changes.
import { Tensor } from '../tensor/tensor.js';
import { Generator, defaultGenerator, type GeneratorState } from '../tensor/random.js';
import type { StateDict } from '../nn/module.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { loadMetricState, metricState } from './metrics.js';
import { joinTensors, splitTensors } from './state.js';
import type { History, Trainer } from './trainer.js';
import { hostDevice } from '../tensor/storage.js';

export const CHECKPOINT_FORMAT = 'descent-trainer/1';

/** Everything needed to continue a run: weights, optimizer tensors, and the rest as JSON. */
export interface TrainerCheckpoint {
  /** The model's state dict (PyTorch keys), copied. */
  model: StateDict;
  /** Optimizer state tensors ('optimizer.state.0.exp_avg') and best weights ('best.<key>'). */
  tensors: Record<string, Tensor>;
  /** Plain JSON: counters, history, optimizer/scheduler/loader/criteria/callback state, random generator. */
  state: Record<string, unknown>;
}

/** Something with a state dict: a DataLoader, a scheduler, a criterion. */
export interface Resumable {
  stateDict(): unknown;
  /** `resume: false` (a DataLoader): put the state back without continuing its epoch on the next iteration. */
  loadStateDict(state: unknown, options?: { resume?: boolean }): void;
}

export function isResumable(x: unknown): x is Resumable {
  return x !== null && typeof x === 'object' && typeof (x as Resumable).stateDict === 'function' && typeof (x as Resumable).loadStateDict === 'function';
}

/** Copies of every tensor of a state dict, outside the graph. */
export function copyStateDict(sd: StateDict): StateDict {
  const out: StateDict = {};
  for (const [k, t] of Object.entries(sd)) out[k] = t.detach().clone();
  return out;
}

/**
 * Everything `trainer` needs to continue exactly; take it between steps (callbacks do).
 * @example const ckpt = captureCheckpoint(trainer); // what trainer.checkpoint() returns
 */
export function captureCheckpoint(t: Trainer): TrainerCheckpoint {
  const tensors: Record<string, Tensor> = {};
  const o = t.options;
  // the pipelined loop may have recorded the next batch's forward already: take the state saved before it
  const between = t.betweenSteps;
  const state: Record<string, unknown> = {
    format: CHECKPOINT_FORMAT,
    step: t.step,
    epoch: t.epoch,
    batchInEpoch: t.batchInEpoch,
    elapsed: t.elapsed,
    epochLoss: [t.epochLossSum, t.epochLossCount],
    metrics: t.metrics.map(metricState),
    history: splitTensors(t.history, 'history', tensors),
    optimizer: splitTensors(t.optimizer.stateDict(), 'optimizer', tensors),
    scheduler: o.scheduler ? splitTensors(o.scheduler.stateDict(), 'scheduler', tensors) : null,
    data: between ? between.data : isResumable(o.data) ? o.data.stateDict() : null,
    generator: between ? between.generator : defaultGenerator.getState(),
    criteria: Object.fromEntries(t.criteria.flatMap((c) => (c.stateDict ? [[c.name, c.stateDict()]] : []))),
    callbacks: Object.fromEntries(t.callbacks.map((c, i) => [c.name ?? String(i), c.stateDict?.() ?? null])),
    hasBest: t.best !== null,
  };
  if (t.best) for (const [k, v] of Object.entries(t.best)) tensors[`best.${k}`] = v;
  const model = t.model.stateDict();
  if (between) for (const k of Object.keys(model)) if (between.buffers[k]) model[k] = between.buffers[k];
  return { model: copyStateDict(model), tensors, state };
}

/**
 * The checkpoint with its tensors on the host (hostDevice): those on a device that reads only
 * asynchronously (a GPU) are copied with `await t.data()`, the others are kept as they are. What a writer
 * of files needs; restoring moves them back to the model's device.
 * @example saveCheckpoint(dir, await checkpointOnHost(trainer.checkpoint()));
 */
export async function checkpointOnHost(ckpt: TrainerCheckpoint): Promise<TrainerCheckpoint> {
  const host = hostDevice().name;
  const move = async (sd: StateDict): Promise<StateDict> => {
    const entries = await Promise.all(Object.entries(sd).map(async ([k, t]) => [k, t.storage.device.readsSync === false ? await t.toAsync(host) : t] as const));
    return Object.fromEntries(entries);
  };
  return { ...ckpt, model: await move(ckpt.model), tensors: await move(ckpt.tensors) };
}

/** Whether every tensor of the checkpoint can be read synchronously (none is on a GPU). */
export function readableNow(ckpt: TrainerCheckpoint): boolean {
  return [...Object.values(ckpt.model), ...Object.values(ckpt.tensors)].every((t) => t.storage.device.readsSync !== false);
}

/**
 * Puts a checkpoint back into `trainer`. The checkpoint is checked whole first (every field's type, the
 * position against the data, the weights against the model); should a part still refuse it while it is put
 * back (a scheduler's or callback's own check), everything is put back as it was. Either way a refused
 * checkpoint leaves the trainer unchanged.
 * @example restoreCheckpoint(trainer, ckpt); // what trainer.restore(ckpt) does
 */
export function restoreCheckpoint(t: Trainer, ckpt: TrainerCheckpoint): void {
  checkCheckpoint(t, ckpt);
  const before = captureCheckpoint(t);
  try {
    apply(t, ckpt);
  } catch (e) {
    apply(t, before);
    throw e;
  }
}

function fail(why: string): never {
  throw new Error(`restore: ${why}`);
}

const describe = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

function checkCheckpoint(t: Trainer, ckpt: TrainerCheckpoint): void {
  if (!ckpt || typeof ckpt !== 'object' || !ckpt.state || typeof ckpt.state !== 'object') fail('expected a checkpoint { model, tensors, state }');
  const s = ckpt.state;
  if (s.format !== CHECKPOINT_FORMAT) fail(`not a trainer checkpoint (format ${JSON.stringify(s.format)}, expected '${CHECKPOINT_FORMAT}')`);
  const field = (name: string, ok: (v: unknown) => boolean, expected: string) => {
    if (!(name in s)) fail(`checkpoint field '${name}' is missing`);
    if (!ok(s[name])) fail(`checkpoint field '${name}' must be ${expected}, got ${describe(s[name])}`);
  };
  const count = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  const record = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  for (const name of ['step', 'epoch', 'batchInEpoch']) field(name, count, 'a non-negative integer');
  field('elapsed', (v) => typeof v === 'number' && v >= 0 && Number.isFinite(v), 'a non-negative number of seconds');
  field('epochLoss', (v) => Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && count(v[1]), 'a pair [sum, count]');
  field('metrics', Array.isArray, 'an array');
  field('history', record, 'an object');
  field('optimizer', record, 'an optimizer state dict');
  field('scheduler', (v) => v === null || record(v), 'a scheduler state or null');
  field('data', (v) => v === null || record(v), 'a data loader state or null');
  field('generator', record, 'a random generator state');
  field('criteria', record, 'an object');
  field('callbacks', record, 'an object');
  field('hasBest', (v) => typeof v === 'boolean', 'true or false');
  const history = s.history as Record<string, unknown>;
  for (const k of ['epochs', 'steps']) if (!Array.isArray(history[k])) fail(`checkpoint field 'history.${k}' must be an array, got ${describe(history[k])}`);
  new Generator().setState(s.generator as GeneratorState); // throws on a broken state, touching nothing
  const o = t.options;
  if ((s.scheduler !== null) !== (o.scheduler !== undefined)) {
    fail(`the checkpoint was made ${s.scheduler !== null ? 'with' : 'without'} a scheduler but this trainer has ${o.scheduler ? 'one' : 'none'}`);
  }
  if (s.data !== null && !isResumable(o.data)) fail('the checkpoint has a data loader state but `data` is not a DataLoader');
  const batches = (o.data as { length?: unknown }).length;
  const batchInEpoch = s.batchInEpoch as number;
  if (typeof batches === 'number' && batchInEpoch > batches) fail(`checkpoint field 'batchInEpoch' is ${batchInEpoch}, past the end of an epoch (${batches} batches)`);
  const loader = s.data as { order?: unknown; position?: unknown } | null;
  if (loader && loader.order !== null && loader.position !== batchInEpoch) {
    fail(`checkpoint fields 'data.position' (${describe(loader.position)}) and 'batchInEpoch' (${batchInEpoch}) disagree`);
  }
  if (!ckpt.model || typeof ckpt.model !== 'object' || !ckpt.tensors || typeof ckpt.tensors !== 'object') fail('expected the model\'s and the state\'s tensors');
  for (const [k, v] of Object.entries({ ...ckpt.model, ...ckpt.tensors })) if (!(v instanceof Tensor)) fail(`'${k}' is not a tensor`);
}

// Puts a checked checkpoint back, part by part; each part checks its own state before changing anything.
function apply(t: Trainer, ckpt: TrainerCheckpoint): void {
  const s = ckpt.state;
  const o = t.options;
  t.model.loadStateDict(ckpt.model);
  t.optimizer.loadStateDict(joinTensors(s.optimizer, ckpt.tensors) as OptimizerStateDict);
  if (o.scheduler) o.scheduler.loadStateDict(joinTensors(s.scheduler, ckpt.tensors) as Record<string, unknown>);
  if (s.data !== null) (o.data as unknown as Resumable).loadStateDict(s.data);
  defaultGenerator.setState(s.generator as GeneratorState);
  const criteria = s.criteria as Record<string, Record<string, unknown>>;
  for (const c of t.criteria) if (criteria[c.name]) c.loadStateDict?.(criteria[c.name]);
  const callbacks = s.callbacks as Record<string, Record<string, unknown> | null>;
  t.callbacks.forEach((c, i) => {
    const saved = callbacks[c.name ?? String(i)];
    if (saved) c.loadStateDict?.(saved);
  });
  t.step = s.step as number;
  t.epoch = s.epoch as number;
  t.batchInEpoch = s.batchInEpoch as number;
  t.elapsedBefore = s.elapsed as number;
  [t.epochLossSum, t.epochLossCount] = s.epochLoss as [number, number];
  const metrics = s.metrics as Record<string, unknown>[];
  if (metrics.length === t.metrics.length) t.metrics.forEach((m, i) => loadMetricState(m, metrics[i]));
  t.history = joinTensors(s.history, ckpt.tensors) as History;
  t.best = null;
  if (s.hasBest) {
    t.best = {};
    for (const [k, v] of Object.entries(ckpt.tensors)) if (k.startsWith('best.')) t.best[k.slice(5)] = v;
  }
  t.lastGood = null;
}
