// Intermediates of library code, released when their graph is. A library function or a module tree that
// runs no user code (scoped) hands back its results; every other storage it made is an intermediate no
// user code can reach: garbage at once when no graph node was recorded, else reachable only through the
// graph of the results, and released when backward frees that graph (as PyTorch frees saved tensors).
// Without this, such storage would wait for finalizers, which a synchronous training loop never runs.
import type { GradFn, Tensor } from '../tensor/tensor.js';
import { type Ownership, type Storage, withAllocationLog } from '../tensor/storage.js';
import { Tensor as TensorClass } from '../tensor/tensor.js';

// Storages already owned by some graph, so an enclosing scope does not claim them twice.
const claimed = new WeakSet<Storage>();
let depth = 0;

/** The tensors in a scoped function's result: a tensor, or any objects and arrays holding tensors (a PackedSequence). */
function tensorsIn(value: unknown, out: Tensor[], seen = new Set<object>()): Tensor[] {
  if (value instanceof TensorClass) {
    out.push(value);
    // a SparseTensor's entries are tensors of their own (tensor/sparse.ts)
    const sparse = value as Partial<Record<'rawIndices' | 'rawValues', Tensor>>;
    if (sparse.rawValues) tensorsIn([sparse.rawIndices, sparse.rawValues], out, seen);
  } else if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Object.values(value)) tensorsIn(v, out, seen);
  }
  return out;
}

/** Whether a scope is open (an enclosing scope will own what is made now, so nested ones need not). */
export function inScope(): boolean {
  return depth > 0;
}

/**
 * Runs `fn`, which must run no user code, and gives the storages it made (other than its results') to the
 * graph of its results; with no graph, releases them at once.
 * @example return scoped(() => mul(x, sigmoid(x)));
 */
export function scoped<T>(fn: () => T): T {
  if (depth > 0) return fn(); // the enclosing scope owns what this makes
  depth++;
  let result: T;
  let made: Set<Storage>;
  try {
    [result, made] = withAllocationLog(fn);
  } finally {
    depth--;
  }
  const results = tensorsIn(result, []);
  const kept = new Set<Storage>();
  for (const t of results) kept.add(t.storage);
  const storages: Storage[] = [];
  for (const s of made) if (!kept.has(s) && !claimed.has(s)) storages.push(s);
  if (storages.length === 0) return result;
  const nodes = new Set<GradFn>();
  for (const t of results) if (t.gradFn !== null && t.gradFn.backward !== null) nodes.add(t.gradFn);
  if (nodes.size === 0) {
    for (const s of storages) s.device.release(s);
    return result;
  }
  const ownership: Ownership = { storages, owners: nodes.size };
  for (const s of storages) claimed.add(s);
  for (const node of nodes) (node.owned ??= []).push(ownership);
  return result;
}

/** Called by backward for each node it freed: releases what the node's graph owned once all owners are freed. */
export function releaseOwned(node: GradFn): void {
  const owned = node.owned;
  if (owned === undefined) return;
  node.owned = undefined;
  for (const o of owned) {
    if (--o.owners > 0) continue;
    for (const s of o.storages) s.device.release(s);
  }
}

/**
 * Gives `storages` that a fused op saved for its backward to the graph nodes of its `outputs`, released when
 * backward frees the FIRST of those nodes (not the last, as scoped's intermediates): a training step
 * usually backpropagates through one output (a recurrent layer's output, not its last cell state), and
 * the others' nodes are then never freed. Backward through another output afterwards must be refused,
 * as PyTorch refuses a second backward through a freed node: `released()` says when.
 */
export function ownUntilFirstFreed(outputs: readonly Tensor[], storages: Storage[]): { released(): boolean } {
  const ownership: Ownership = { storages, owners: 1 };
  for (const t of outputs) if (t.gradFn !== null) (t.gradFn.owned ??= []).push(ownership);
  return { released: () => ownership.owners <= 0 };
}
