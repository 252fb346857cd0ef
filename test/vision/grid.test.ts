// makeGrid and the 8-bit pixels of saveImage against torchvision 0.14's code (tools/gen_vision_fixtures.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dt from '../../src/index.js';
import { type FixtureTensor, assertClose, fromFixture, loadFixture } from '../helpers.js';

interface GridCase {
  name: string;
  input: FixtureTensor;
  options: dt.vision.MakeGridOptions & { valueRange?: [number, number] };
  grid: FixtureTensor;
  bytes: FixtureTensor | null;
}
const cases = loadFixture<{ makeGrid: GridCase[] }>('vision').makeGrid;

for (const c of cases) {
  test(`makeGrid as torchvision's make_grid: ${c.name}`, () => {
    const grid = dt.vision.makeGrid(fromFixture(c.input, { dtype: 'float32' }), c.options);
    assertClose(grid, c.grid, { rtol: 1e-6, atol: 1e-7 });
    if (c.bytes) {
      const img = dt.vision.toImageBytes(grid);
      assert.deepEqual([img.height, img.width, img.channels], c.bytes.shape);
      assert.deepEqual(Array.from(img.data), c.bytes.data);
    }
  });
}

test('makeGrid takes a list of images, and refuses bad options', () => {
  const a = dt.rand([1, 4, 4]);
  const b = dt.rand([1, 4, 4]);
  assertClose(dt.vision.makeGrid([a, b], { padding: 0 }), dt.vision.makeGrid(dt.stack([a, b]), { padding: 0 }), { rtol: 0, atol: 0 });
  assert.deepEqual(dt.vision.makeGrid([a, b], { padding: 0 }).shape, [3, 4, 8]);
  assert.throws(() => dt.vision.makeGrid(a, { n_row: 2 } as never), /makeGrid: unknown option 'n_row'/);
  assert.throws(() => dt.vision.makeGrid(dt.rand([2, 2, 2, 2, 2])), /makeGrid: expected images \[N, C, H, W\]/);
  assert.throws(() => dt.vision.makeGrid(a, { nrow: 0 }), /nrow must be a positive integer/);
  assert.throws(() => dt.vision.toImageBytes(dt.rand([5, 2, 2])), /1 to 4 channels/);
});
