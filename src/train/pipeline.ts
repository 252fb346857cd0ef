// What the trainer's pipelined loop (a device that reads only asynchronously) saves so that it can take back
// work it recorded before a step's values arrived: the next batch's forward (the model's buffers, the random
// generator, the data loader's position) and a step's update (the weights and the optimizer's state).
import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type GeneratorState } from '../tensor/random.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, ParamState, StateValue } from '../optim/optimizer.js';
import { type Resumable, isResumable } from './checkpoint.js';

/**
 * Copies `tensors` into `into` where shapes and dtypes allow (reusing its storage), else into new tensors.
 * @example saved = copyInto(Object.values(model.stateDict()), saved);
 */
export function copyInto(tensors: Tensor[], into: Tensor[] | null): Tensor[] {
  return noGrad(() => tensors.map((t, i) => {
    const saved = into?.[i];
    return saved && saved.numel === t.numel && saved.dtype === t.dtype ? saved.copy_(t) : t.detach().clone();
  }));
}

/** The state between two steps that the next batch's forward changes: buffers (batch norm), generator, loader. */
export interface BetweenSteps {
  /** Copies of the model's buffers by state-dict key. */
  buffers: Record<string, Tensor>;
  generator: GeneratorState;
  /** The data loader's state (null for a plain iterable, which a resume replays by counting batches). */
  data: unknown;
}

/** Saves what the next batch's forward changes, reusing the tensors of `previous`. */
export function saveBetweenSteps(model: Module, data: unknown, previous: BetweenSteps | null): BetweenSteps {
  const named = [...model.namedBuffers()];
  const copies = copyInto(named.map(([, b]) => b), previous ? Object.values(previous.buffers) : null);
  return {
    buffers: Object.fromEntries(named.map(([k], i) => [k, copies[i]])),
    generator: defaultGenerator.getState(),
    data: isResumable(data) ? data.stateDict() : null,
  };
}

/** Puts back what `saveBetweenSteps` saved (the forward recorded since is dropped). */
export function restoreBetweenSteps(model: Module, data: unknown, saved: BetweenSteps): void {
  noGrad(() => {
    for (const [k, b] of model.namedBuffers()) if (saved.buffers[k]) b.copy_(saved.buffers[k]);
  });
  defaultGenerator.setState(saved.generator);
  if (saved.data !== null) (data as Resumable).loadStateDict(saved.data, { resume: false }); // as an abandoned iteration leaves it
}

/** An optimizer's per-parameter state, copied (tensors into reusable copies). */
export type SavedOptimizerState = Map<Tensor, Record<string, StateValue>>;

function copyValue(v: StateValue, into: StateValue | undefined): StateValue {
  if (v instanceof Tensor) return copyInto([v], into instanceof Tensor ? [into] : null)[0];
  if (Array.isArray(v)) return (v as (Tensor | number)[]).map((x, i) => (x instanceof Tensor ? copyValue(x, (into as Tensor[] | undefined)?.[i]) : x)) as Tensor[] | number[];
  return v;
}

/** Copies `optimizer.state` (reusing the tensors of `previous`), so that a step can be taken back. */
export function saveOptimizerState(optimizer: Optimizer, previous: SavedOptimizerState | null): SavedOptimizerState {
  const out: SavedOptimizerState = new Map();
  for (const [p, state] of optimizer.state) {
    const old = previous?.get(p);
    out.set(p, Object.fromEntries(Object.entries(state).map(([k, v]) => [k, copyValue(v, old?.[k])])));
  }
  return out;
}

/** Puts back a `saveOptimizerState`: parameters without saved state (their first step) lose theirs. */
export function restoreOptimizerState(optimizer: Optimizer, saved: SavedOptimizerState): void {
  for (const p of [...optimizer.state.keys()]) if (!saved.has(p)) optimizer.state.delete(p);
  for (const [p, state] of saved) optimizer.state.set(p, Object.fromEntries(Object.entries(state).map(([k, v]) => [k, copyValue(v, undefined)])) as ParamState);
}
