// The recurrent layers in wasm for float32 (assembly/recurrent.ts): a whole sequence per call, so a step
// costs one packed product and one fused cell with no return to JavaScript. The step loop is sequential
// and runs on the calling thread; the large products around it (the input projection before, the weight
// gradients after) are ordinary matmuls that threads share.
import type { RecurrentGeometry } from '../backend.js';
import type { Storage } from '../../tensor/storage.js';
import { arena, runtime } from './state.js';
import { NONE, beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';
import type { Ptr } from './runtime.js';

const f32 = (...storages: (Storage | null)[]) => storages.every((s) => s === null || s.dtype === 'float32');
const read = (s: Storage | null): Ptr => (s ? input(s) : NONE);
const written = (s: Storage | null): Ptr => (s ? output(s) : NONE);

type StepArgs = [steps: Ptr, T: number, N: number];

/** The per-step sizes and row offsets as int32 in the call's scratch (after every operand is placed). */
function stepTable(g: RecurrentGeometry): StepArgs {
  const at = arena!.allocBytes(8 * g.steps);
  const table = new Int32Array(runtime!.memory.buffer, at, 2 * g.steps);
  table.set(g.batchSizes);
  table.set(g.stepOffsets, g.steps);
  return [at, g.steps, g.batch];
}

export function lstmForward(
  xGates: Storage, h0: Storage | null, c0: Storage | null, weightHh: Storage, weightHr: Storage | null,
  g: RecurrentGeometry, out: Storage, cN: Storage,
  gates: Storage | null, cells: Storage | null, hPrev: Storage | null, hRaw: Storage | null,
): void {
  if (!f32(xGates, h0, c0, weightHh, weightHr, out, cN, gates, cells, hPrev, hRaw) || out.length === 0) {
    fallback.lstmForward(xGates, h0, c0, weightHh, weightHr, g, out, cN, gates, cells, hPrev, hRaw);
    return;
  }
  const k = runtime!.kernels;
  beginCall();
  const operands = [read(xGates), read(h0), read(c0), read(weightHh), read(weightHr), written(out), written(cN),
    written(gates), written(cells), written(hPrev), written(hRaw)] as const;
  const scratch = arena!.alloc(k.lstmScratchFloats(g.batch, g.hidden, g.stateSize, weightHr !== null));
  const [steps, T, N] = stepTable(g);
  k.lstmForward(...operands, steps, T, N, g.hidden, g.stateSize, g.batchStride, g.reverse, scratch);
  endCall();
}

export function lstmBackward(
  gates: Storage, cells: Storage, weightHh: Storage, weightHr: Storage | null,
  gradOut: Storage | null, gradCN: Storage | null, g: RecurrentGeometry,
  gradGates: Storage, gradH0: Storage, gradC0: Storage, gradHAll: Storage | null,
): void {
  if (!f32(gates, cells, weightHh, weightHr, gradOut, gradCN, gradGates, gradH0, gradC0, gradHAll) || gradGates.length === 0) {
    fallback.lstmBackward(gates, cells, weightHh, weightHr, gradOut, gradCN, g, gradGates, gradH0, gradC0, gradHAll);
    return;
  }
  const k = runtime!.kernels;
  beginCall();
  const operands = [read(gates), read(cells), read(weightHh), read(weightHr), read(gradOut), read(gradCN),
    written(gradGates), written(gradH0), written(gradC0), written(gradHAll)] as const;
  const scratch = arena!.alloc(k.lstmScratchFloats(g.batch, g.hidden, g.stateSize, weightHr !== null));
  const [steps, T, N] = stepTable(g);
  k.lstmBackward(...operands, steps, T, N, g.hidden, g.stateSize, g.batchStride, g.reverse, scratch);
  endCall();
}

export function gruForward(
  xGates: Storage, h0: Storage | null, weightHh: Storage, biasHh: Storage | null, g: RecurrentGeometry,
  out: Storage, gates: Storage | null, hPrev: Storage | null,
): void {
  if (!f32(xGates, h0, weightHh, biasHh, out, gates, hPrev) || out.length === 0) {
    fallback.gruForward(xGates, h0, weightHh, biasHh, g, out, gates, hPrev);
    return;
  }
  const k = runtime!.kernels;
  beginCall();
  const operands = [read(xGates), read(h0), read(weightHh), read(biasHh), written(out), written(gates), written(hPrev)] as const;
  const scratch = arena!.alloc(k.gruScratchFloats(g.batch, g.hidden));
  const [steps, T, N] = stepTable(g);
  k.gruForward(...operands, steps, T, N, g.hidden, g.batchStride, g.reverse, scratch);
  endCall();
}

export function gruBackward(
  gates: Storage, hPrev: Storage, weightHh: Storage, gradOut: Storage | null, g: RecurrentGeometry,
  gradXGates: Storage, gradHGates: Storage, gradH0: Storage,
): void {
  if (!f32(gates, hPrev, weightHh, gradOut, gradXGates, gradHGates, gradH0) || gradXGates.length === 0) {
    fallback.gruBackward(gates, hPrev, weightHh, gradOut, g, gradXGates, gradHGates, gradH0);
    return;
  }
  const k = runtime!.kernels;
  beginCall();
  const operands = [read(gates), read(hPrev), read(weightHh), read(gradOut), written(gradXGates), written(gradHGates), written(gradH0)] as const;
  const scratch = arena!.alloc(k.gruScratchFloats(g.batch, g.hidden));
  const [steps, T, N] = stepTable(g);
  k.gruBackward(...operands, steps, T, N, g.hidden, g.batchStride, g.reverse, scratch);
  endCall();
}

export function rnnForward(xGates: Storage, h0: Storage | null, weightHh: Storage, relu: boolean, g: RecurrentGeometry, out: Storage, hPrev: Storage | null): void {
  if (!f32(xGates, h0, weightHh, out, hPrev) || out.length === 0) {
    fallback.rnnForward(xGates, h0, weightHh, relu, g, out, hPrev);
    return;
  }
  const k = runtime!.kernels;
  beginCall();
  const operands = [read(xGates), read(h0), read(weightHh), written(out), written(hPrev)] as const;
  const scratch = arena!.alloc(k.rnnScratchFloats(g.batch, g.hidden));
  const [steps, T, N] = stepTable(g);
  k.rnnForward(...operands, steps, T, N, g.hidden, g.batchStride, g.reverse, relu, scratch);
  endCall();
}

export function rnnBackward(out: Storage, weightHh: Storage, relu: boolean, gradOut: Storage | null, g: RecurrentGeometry, gradXGates: Storage, gradH0: Storage): void {
  if (!f32(out, weightHh, gradOut, gradXGates, gradH0) || gradXGates.length === 0) {
    fallback.rnnBackward(out, weightHh, relu, gradOut, g, gradXGates, gradH0);
    return;
  }
  const k = runtime!.kernels;
  beginCall();
  const operands = [read(out), read(weightHh), read(gradOut), written(gradXGates), written(gradH0)] as const;
  const scratch = arena!.alloc(k.rnnScratchFloats(g.batch, g.hidden));
  const [steps, T, N] = stepTable(g);
  k.rnnBackward(...operands, steps, T, N, g.hidden, g.batchStride, g.reverse, relu, scratch);
  endCall();
}
