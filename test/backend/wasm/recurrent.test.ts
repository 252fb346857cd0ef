// The wasm recurrent kernels (a whole sequence per call) against the reference kernels, on padded,
// batch-first and packed layouts, both directions, hidden sizes that are not multiples of 4, and the
// LSTM's projection. Float32 SIMD against float64 sums: a stated tolerance.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryStats, nn, randn } from '../../../src/index.js';
import type { RecurrentGeometry } from '../../../src/backend/backend.js';
import { packedLayout, paddedLayout, type SequenceLayout } from '../../../src/ops/recurrent.js';
import { assertArraysClose, jsBackend, randomFloats, wasm } from './util.js';

const RTOL = 2e-4;
const ATOL = 2e-5;

const layouts: [string, SequenceLayout][] = [
  ['time-major', paddedLayout(5, 3, false)],
  ['batch-first', paddedLayout(5, 3, true)],
  ['packed', packedLayout([3, 3, 2, 1, 1])],
];

function geometry(layout: SequenceLayout, hidden: number, stateSize: number, reverse: boolean): RecurrentGeometry {
  return { ...layout, hidden, stateSize, reverse };
}

const rowsOf = (layout: SequenceLayout) => layout.batchSizes.reduce((a, b) => a + b, 0);
const scaled = (n: number, s: number) => randomFloats(n).map((v) => v * s);

/** Runs `kernel` on both backends with copies of `args` and compares every float32 array argument afterwards. */
function same(what: string, kernel: string, args: unknown[]): void {
  const copy = () => args.map((a) => (a instanceof Float32Array ? a.slice() : a));
  const ours = copy();
  const reference = copy();
  (wasm() as unknown as Record<string, (...a: unknown[]) => void>)[kernel](...ours);
  (jsBackend as unknown as Record<string, (...a: unknown[]) => void>)[kernel](...reference);
  ours.forEach((a, i) => {
    if (a instanceof Float32Array) assertArraysClose(a, reference[i] as Float32Array, RTOL, ATOL, `${what}: argument ${i}`);
  });
}

for (const [name, layout] of layouts) {
  for (const reverse of [false, true]) {
    test(`lstm forward and backward equal the reference: ${name}${reverse ? ', reverse' : ''}, with and without projection and initial state`, () => {
      for (const [H, P, initial] of [[5, 5, false], [8, 8, true], [7, 3, true]] as const) {
        const g = geometry(layout, H, P, reverse);
        const N = layout.batch;
        const rows = rowsOf(layout);
        const xg = scaled(rows * 4 * H, 2);
        const h0 = initial ? randomFloats(N * P) : null;
        const c0 = initial ? randomFloats(N * H) : null;
        const wHh = scaled(4 * H * P, 0.5);
        const wHr = P < H ? scaled(P * H, 0.5) : null;
        const out = new Float32Array(rows * P);
        const cN = new Float32Array(N * H);
        const gates = new Float32Array(rows * 4 * H);
        const cells = new Float32Array(rows * 2 * H);
        const hPrev = new Float32Array(rows * P);
        const hRaw = wHr ? new Float32Array(rows * H) : null;
        const what = `H ${H}, P ${P}`;
        same(`${what} forward`, 'lstmForward', [xg, h0, c0, wHh, wHr, g, out, cN, gates, cells, hPrev, hRaw]);
        // backward from the reference's saved tensors
        jsBackend.lstmForward(xg, h0, c0, wHh, wHr, g, out, cN, gates, cells, hPrev, hRaw);
        for (const [gradOut, gradCN] of [[randomFloats(rows * P), randomFloats(N * H)], [randomFloats(rows * P), null], [null, randomFloats(N * H)]]) {
          same(`${what} backward`, 'lstmBackward', [gates, cells, wHh, wHr, gradOut, gradCN, g,
            new Float32Array(rows * 4 * H), new Float32Array(N * P), new Float32Array(N * H), wHr ? new Float32Array(rows * P) : null]);
        }
        // inference: no saved tensors, same outputs
        same(`${what} forward without saving`, 'lstmForward', [xg, h0, c0, wHh, wHr, g, new Float32Array(rows * P), new Float32Array(N * H), null, null, null, null]);
      }
    });

    test(`gru and rnn forward and backward equal the reference: ${name}${reverse ? ', reverse' : ''}`, () => {
      for (const [H, initial, bias] of [[5, false, true], [8, true, false], [6, true, true]] as const) {
        const g = geometry(layout, H, H, reverse);
        const N = layout.batch;
        const rows = rowsOf(layout);
        const h0 = initial ? randomFloats(N * H) : null;
        const what = `H ${H}`;
        const xg = scaled(rows * 3 * H, 2);
        const wHh = scaled(3 * H * H, 0.5);
        const bHh = bias ? randomFloats(3 * H) : null;
        const out = new Float32Array(rows * H);
        const gates = new Float32Array(rows * 4 * H);
        const hPrev = new Float32Array(rows * H);
        same(`gru ${what} forward`, 'gruForward', [xg, h0, wHh, bHh, g, out, gates, hPrev]);
        jsBackend.gruForward(xg, h0, wHh, bHh, g, out, gates, hPrev);
        same(`gru ${what} backward`, 'gruBackward', [gates, hPrev, wHh, randomFloats(rows * H), g,
          new Float32Array(rows * 3 * H), new Float32Array(rows * 3 * H), new Float32Array(N * H)]);
        for (const relu of [false, true]) {
          const rx = scaled(rows * H, 2);
          const rw = scaled(H * H, 0.5);
          const rOut = new Float32Array(rows * H);
          const rPrev = new Float32Array(rows * H);
          same(`rnn ${what} forward`, 'rnnForward', [rx, h0, rw, relu, g, rOut, rPrev]);
          jsBackend.rnnForward(rx, h0, rw, relu, g, rOut, rPrev);
          same(`rnn ${what} backward`, 'rnnBackward', [rOut, rw, relu, randomFloats(rows * H), g, new Float32Array(rows * H), new Float32Array(N * H)]);
        }
      }
    });
  }
}

test('rows of indexSelect and indexAdd in wasm equal the reference bit for bit (float32, int32, any axis)', () => {
  const x = randomFloats(5 * 7 * 6);
  const index = Int32Array.from([4, 0, 6, 6, 2]);
  for (const axis of [0, 1, 2]) {
    const shape = [5, 7, 6];
    const picked = index.map((i) => i % shape[axis]);
    const outShape = shape.slice();
    outShape[axis] = picked.length;
    const size = outShape.reduce((a, b) => a * b, 1);
    const ours = new Float32Array(size);
    const reference = new Float32Array(size);
    wasm().indexSelect(x, shape, axis, picked, ours);
    jsBackend.indexSelect(x, shape, axis, picked, reference);
    assertArraysClose(ours, reference, 0, 0, `indexSelect axis ${axis}`);
    const ints = Int32Array.from(x, (v) => Math.round(v * 1000));
    const oursInt = new Int32Array(size);
    const referenceInt = new Int32Array(size);
    wasm().indexSelect(ints, shape, axis, picked, oursInt);
    jsBackend.indexSelect(ints, shape, axis, picked, referenceInt);
    assertArraysClose(oursInt, referenceInt, 0, 0, `indexSelect int32 axis ${axis}`);
    const base = randomFloats(x.length);
    const addedOurs = base.slice();
    const addedReference = base.slice();
    wasm().indexAdd(ours, outShape, axis, picked, addedOurs, shape);
    jsBackend.indexAdd(reference, outShape, axis, picked, addedReference, shape);
    assertArraysClose(addedOurs, addedReference, 0, 0, `indexAdd axis ${axis} (repeated indices)`);
  }
});

test('an LSTM gives back what it saved for backward with its graph: a step leaves only its results behind', () => {
  const lstm = new nn.LSTM(8, 32, { batchFirst: true });
  const x = randn([4, 16, 8]);
  const step = () => {
    const [out] = lstm(x); // hN and cN are never used: their nodes are never freed
    out.sum().backward();
  };
  for (let i = 0; i < 3; i++) step();
  const start = memoryStats().residentBytes;
  for (let i = 0; i < 20; i++) step();
  const grown = memoryStats().residentBytes - start;
  // the results (output, hN, cN) wait for finalizers; the saved gates, cells and h (7 outputs' worth) must not
  const outputBytes = 4 * 16 * 32 * 4;
  assert.ok(grown <= 20 * 2 * outputBytes, `resident bytes grew by ${grown} over 20 steps (an output is ${outputBytes} bytes)`);
});
