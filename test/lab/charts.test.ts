import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoline } from '../../lab/src/ui/contour.js';
import { extent, linearTicks, logTicks } from '../../lab/src/ui/plot.js';

// The lab's hand-drawn charts: tick placement and marching-squares contours (the pixels themselves are not tested).

test('linear ticks are round numbers inside the range; log ticks are powers of ten', () => {
  assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTicks(-2, 3, 5), [-2, -1, 0, 1, 2, 3]);
  assert.deepEqual(logTicks(1e-3, 10), [1e-3, 1e-2, 1e-1, 1, 10]);
  assert.equal(logTicks(1e-12, 1e2, 6).length <= 8, true);
});

test('ticks of an empty, reversed or infinite range are none (no endless loop)', () => {
  assert.deepEqual(linearTicks(1, 1), []);
  assert.deepEqual(linearTicks(0, Infinity), []);
  assert.deepEqual(logTicks(0, 1), []);
  assert.deepEqual(logTicks(-1, 1), []);
});

test('extent pads a linear range, snaps a log range to powers of ten, and skips what cannot be drawn', () => {
  assert.deepEqual(extent([1, NaN, 3]), [0.92, 3.08]);
  assert.deepEqual(extent([0.02, 300, 0, -1, Infinity], true), [0.01, 1000]);
  assert.deepEqual(extent([]), [0, 1]);
});

test('isoline: the level set of a cone is a closed ring at the right radius', () => {
  const size = 41;
  const values = Float32Array.from({ length: size * size }, (_, k) => Math.hypot((k % size) - 20, Math.floor(k / size) - 20));
  const segments = isoline(values, size, 10);
  assert.ok(segments.length > 0 && segments.length % 4 === 0);
  for (let i = 0; i < segments.length; i += 2) {
    const r = Math.hypot(segments[i] - 20, segments[i + 1] - 20);
    assert.ok(Math.abs(r - 10) < 0.2, `a contour point at radius ${r}`);
  }
  assert.deepEqual(isoline(values, size, 100), [], 'a level above the whole grid has no line');
});
