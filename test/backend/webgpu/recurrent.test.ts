// The webgpu recurrent kernels (a sequence per call: per step a product with W_hh and a fused cell) against
// the js reference on padded, batch-first and packed layouts, both directions, with and without initial
// states, biases, saved tensors and the LSTM's projection; products wider than one 64-column tile.
// Backward runs from the reference's saved tensors. Float32 against float64 sums: a stated tolerance.
// And the cost of a step: its dispatches (each dispatch binds one bind group), counted on the device.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecurrentGeometry } from '../../../src/backend/backend.js';
import { arrayKernels } from '../../../src/backend/js/index.js';
import { packedLayout, paddedLayout, type SequenceLayout } from '../../../src/ops/recurrent.js';
import { openWebgpu } from './setup.js';
import { gpu, matchesReference, uniform } from './reference.js';
import { gpu as gpuContext } from '../../../src/backend/webgpu/context.js';

const skip = await openWebgpu();
const [RTOL, ATOL] = [1e-4, 1e-5];

const layouts: [string, SequenceLayout][] = [
  ['time-major', paddedLayout(4, 3, false)],
  ['batch-first', paddedLayout(4, 3, true)],
  ['packed', packedLayout([3, 3, 2, 1])],
];
const geometry = (layout: SequenceLayout, hidden: number, stateSize: number, reverse: boolean): RecurrentGeometry => ({ ...layout, hidden, stateSize, reverse });
const rowsOf = (layout: SequenceLayout) => layout.batchSizes.reduce((a, b) => a + b, 0);
const zeros = (n: number) => new Float32Array(n);

describe('webgpu recurrent kernels against the js reference', { skip }, () => {
  for (const [name, layout] of layouts) {
    for (const reverse of [false, true]) {
      const where = `${name}${reverse ? ', reverse' : ''}`;
      test(`lstmForward and lstmBackward: ${where}, with and without projection, initial state and saving`, async () => {
        // [hidden, state size, initial state]: 20 x 4 gates spans two column tiles of the product
        for (const [H, P, initial] of [[5, 5, false], [7, 3, true], ...(name === 'time-major' ? [[20, 20, true] as const] : [])] as const) {
          const g = geometry(layout, H, P, reverse);
          const [N, rows] = [layout.batch, rowsOf(layout)];
          const what = `${where}, H ${H}, P ${P}`;
          const xg = uniform(rows * 4 * H, -2, 2);
          const [h0, c0] = initial ? [uniform(N * P), uniform(N * H)] : [null, null];
          const wHh = uniform(4 * H * P, -0.5, 0.5);
          const wHr = P < H ? uniform(P * H, -0.5, 0.5) : null;
          const saved = [zeros(rows * 4 * H), zeros(rows * 2 * H), zeros(rows * P), wHr ? zeros(rows * H) : null] as const;
          await matchesReference('lstmForward', [xg, h0, c0, wHh, wHr, g, zeros(rows * P), zeros(N * H), ...saved], `${what}: forward`, RTOL, ATOL);
          await matchesReference('lstmForward', [xg, h0, c0, wHh, wHr, g, zeros(rows * P), zeros(N * H), null, null, null, null], `${what}: forward without saving`, RTOL, ATOL);
          arrayKernels.lstmForward(xg, h0, c0, wHh, wHr, g, zeros(rows * P), zeros(N * H), ...saved);
          for (const [gradOut, gradCN] of [[uniform(rows * P), uniform(N * H)], [uniform(rows * P), null], [null, uniform(N * H)]]) {
            const args = [saved[0], saved[1], wHh, wHr, gradOut, gradCN, g, zeros(rows * 4 * H), zeros(N * P), zeros(N * H), wHr ? zeros(rows * P) : null];
            await matchesReference('lstmBackward', args, `${what}: backward (gradOut ${gradOut !== null}, gradCN ${gradCN !== null})`, RTOL, ATOL);
          }
        }
      });

      test(`gruForward, gruBackward, rnnForward and rnnBackward (tanh and relu): ${where}`, async () => {
        for (const [H, initial, bias] of [[5, false, true], [6, true, false], ...(name === 'batch-first' ? [[24, true, true] as const] : [])] as const) {
          const g = geometry(layout, H, H, reverse);
          const [N, rows] = [layout.batch, rowsOf(layout)];
          const what = `${where}, H ${H}, h0 ${initial}, bias ${bias}`;
          const h0 = initial ? uniform(N * H) : null;
          const xg = uniform(rows * 3 * H, -2, 2);
          const wHh = uniform(3 * H * H, -0.5, 0.5);
          const bHh = bias ? uniform(3 * H) : null;
          const [gates, hPrev] = [zeros(rows * 4 * H), zeros(rows * H)];
          await matchesReference('gruForward', [xg, h0, wHh, bHh, g, zeros(rows * H), gates, hPrev], `gru ${what}: forward`, RTOL, ATOL);
          await matchesReference('gruForward', [xg, h0, wHh, bHh, g, zeros(rows * H), null, null], `gru ${what}: forward without saving`, RTOL, ATOL);
          arrayKernels.gruForward(xg, h0, wHh, bHh, g, zeros(rows * H), gates, hPrev);
          for (const gradOut of [uniform(rows * H), null]) {
            await matchesReference('gruBackward', [gates, hPrev, wHh, gradOut, g, zeros(rows * 3 * H), zeros(rows * 3 * H), zeros(N * H)],
              `gru ${what}: backward (gradOut ${gradOut !== null})`, RTOL, ATOL);
          }
          for (const relu of [false, true]) {
            const rx = uniform(rows * H, -2, 2);
            const rw = uniform(H * H, -0.5, 0.5);
            const [out, prev] = [zeros(rows * H), zeros(rows * H)];
            await matchesReference('rnnForward', [rx, h0, rw, relu, g, out, prev], `rnn ${what}, relu ${relu}: forward`, RTOL, ATOL);
            await matchesReference('rnnForward', [rx, h0, rw, relu, g, zeros(rows * H), null], `rnn ${what}, relu ${relu}: forward without saving`, RTOL, ATOL);
            arrayKernels.rnnForward(rx, h0, rw, relu, g, out, prev);
            await matchesReference('rnnBackward', [out, rw, relu, uniform(rows * H), g, zeros(rows * H), zeros(N * H)], `rnn ${what}, relu ${relu}: backward`, RTOL, ATOL);
          }
        }
      });
    }
  }
});

/** The dispatches (bind groups made) while `run` records and its results are read back. */
async function dispatchesOf(run: () => Promise<unknown>): Promise<number> {
  const device = gpuContext().device as unknown as { createBindGroup: (d: unknown) => unknown };
  const original = device.createBindGroup;
  let count = 0;
  device.createBindGroup = (d: unknown) => {
    count++;
    return original.call(device, d);
  };
  try {
    await run();
  } finally {
    device.createBindGroup = original;
  }
  return count;
}

describe('webgpu recurrent kernels: dispatches per step', { skip }, () => {
  test('two per step forward and two backward (an LSTM with projSize: three and four), whatever the number of steps', async () => {
    const [N, H] = [2, 4];
    /** Dispatches of one call over `steps` steps of the kernel `kernel` (P: the LSTM's state size). */
    const perCall = async (kernel: string, steps: number, P = H) => {
      const layout = paddedLayout(steps, N, false);
      const g = geometry(layout, H, P, false);
      const rows = steps * N;
      const wHr = P < H ? uniform(P * H) : null;
      const args: Record<string, unknown[]> = {
        lstmForward: [uniform(rows * 4 * H), null, null, uniform(4 * H * P), wHr, g, zeros(rows * P), zeros(N * H), zeros(rows * 4 * H), zeros(rows * 2 * H), zeros(rows * P), wHr ? zeros(rows * H) : null],
        lstmBackward: [uniform(rows * 4 * H, 0, 1), uniform(rows * 2 * H), uniform(4 * H * P), wHr, uniform(rows * P), uniform(N * H), g, zeros(rows * 4 * H), zeros(N * P), zeros(N * H), wHr ? zeros(rows * P) : null],
        gruForward: [uniform(rows * 3 * H), null, uniform(3 * H * H), uniform(3 * H), g, zeros(rows * H), zeros(rows * 4 * H), zeros(rows * H)],
        gruBackward: [uniform(rows * 4 * H, 0, 1), uniform(rows * H), uniform(3 * H * H), uniform(rows * H), g, zeros(rows * 3 * H), zeros(rows * 3 * H), zeros(N * H)],
        rnnForward: [uniform(rows * H), null, uniform(H * H), false, g, zeros(rows * H), zeros(rows * H)],
        rnnBackward: [uniform(rows * H), uniform(H * H), false, uniform(rows * H), g, zeros(rows * H), zeros(N * H)],
      };
      return dispatchesOf(async () => (gpu as unknown as Record<string, (...a: unknown[]) => Promise<void>>)[kernel](...args[kernel]));
    };
    const expected: [string, number, number][] = [
      ['lstmForward', H, 2], ['lstmBackward', H, 2], ['gruForward', H, 2], ['gruBackward', H, 2], ['rnnForward', H, 2], ['rnnBackward', H, 2],
      ['lstmForward', 3, 3], ['lstmBackward', 3, 4],
    ];
    for (const [kernel, P, perStep] of expected) {
      const [short, long] = [await perCall(kernel, 3, P), await perCall(kernel, 7, P)];
      assert.equal((long - short) / 4, perStep, `${kernel}${P < H ? ' with a projection' : ''}: ${short} dispatches over 3 steps, ${long} over 7`);
    }
  });
});
