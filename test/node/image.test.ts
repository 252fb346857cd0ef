// PNG files of tensors: the encoder's bytes decode to the pixels (CRCs and zlib stream valid), saveImage
// writes makeGrid's grid, and the HTML report embeds image grids per epoch (imageLogger).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as dt from '../../src/index.js';
import { crc32, decodePng, encodePng, imageLogger, imagePng, saveImage, writeHtmlReport } from '../../src/node/index.js';
import { mlp, trainerFor } from '../train/setup.js';
import { tempDir } from '../helpers.js';

test('crc32 is the PNG/zip checksum', () => {
  assert.equal(crc32(new TextEncoder().encode('IEND')), 0xae426082);
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('encodePng writes valid PNG for 1 to 4 channels; decodePng reads the pixels back', () => {
  for (const channels of [1, 2, 3, 4]) {
    const data = Uint8Array.from({ length: 3 * 5 * channels }, (_, i) => (i * 37) % 256);
    const png = encodePng({ width: 5, height: 3, channels, data });
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const back = decodePng(png);
    assert.deepEqual([back.width, back.height, back.channels], [5, 3, channels]);
    assert.deepEqual(Array.from(back.data), Array.from(data));
  }
  assert.throws(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) }), /expected 12 bytes/);
  const corrupt = encodePng({ width: 1, height: 1, channels: 1, data: Uint8Array.from([7]) });
  corrupt[20] ^= 1;
  assert.throws(() => decodePng(corrupt), /bad CRC in chunk IHDR/);
});

test('saveImage writes the grid of makeGrid as 8-bit RGB', () => {
  const dir = tempDir('descent-image-');
  const images = dt.rand([6, 1, 7, 5], { generator: new dt.Generator(3) });
  const path = join(dir, 'grid.png');
  saveImage(images, path, { nrow: 3, padding: 1 });
  const decoded = decodePng(readFileSync(path));
  const expected = dt.vision.toImageBytes(dt.vision.makeGrid(images, { nrow: 3, padding: 1 }));
  assert.deepEqual([decoded.width, decoded.height, decoded.channels], [3 * 6 + 1, 2 * 8 + 1, 3]);
  assert.deepEqual(Array.from(decoded.data), Array.from(expected.data));
  assert.deepEqual(readdirSync(dir), ['grid.png'], 'no temporary file left');
});

test('imageLogger renders a grid per epoch into the HTML report and the folder', async () => {
  const dir = tempDir('descent-image-report-');
  const logger = imageLogger({ make: (_t, epoch) => dt.full([2, 1, 4, 4], epoch / 3), grid: { nrow: 2 }, dir, name: 'samples' });
  const history = await trainerFor(mlp(), { epochs: 2, callbacks: [logger] }).fit();
  assert.deepEqual(logger.images.map((i) => i.title), ['samples, epoch 1', 'samples, epoch 2']);
  assert.deepEqual(readdirSync(dir).sort(), ['samples-epoch-1.png', 'samples-epoch-2.png']);
  const second = decodePng(readFileSync(join(dir, 'samples-epoch-2.png')));
  assert.equal(second.data[(2 * second.width + 2) * 3], Math.trunc((2 / 3) * 255 + 0.5)); // a pixel inside the first image
  writeHtmlReport(join(dir, 'report.html'), { runs: [{ name: 'run', history }], images: logger.images });
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const embedded = [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1], 'base64'));
  assert.equal(embedded.length, 2);
  assert.deepEqual(embedded[1], readFileSync(join(dir, 'samples-epoch-2.png')));
  assert.ok(html.includes('<figcaption>samples, epoch 2</figcaption>'));
  assert.equal(imagePng(dt.zeros([4, 4])).length > 0, true);
  // resuming restores the images of earlier epochs from the folder
  const resumed = imageLogger({ make: () => dt.zeros([1, 2, 2]), dir, name: 'samples' });
  resumed.loadStateDict!(logger.stateDict!());
  assert.equal(resumed.images.length, 2);
});
